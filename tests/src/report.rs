//! The demo's HTML report: one self-contained page (inline SVG charts drawn
//! by plotters, inline CSS, no scripts, nothing fetched) of a program
//! report, the customers' RFM segments and the lifecycle triggers of a day.
//!
//! Charts: points issued, redeemed and expired by month; the tier
//! distribution; RFM segment sizes; orders by weekday and hour (a heat
//! map); the payment-method split. Amounts are drawn as floating point:
//! the pictures only, every figure printed comes from the engine's
//! decimals.

use std::fmt::Write as _;

use loyalty_core::insights::{Count, Report, Stats, Triggers};
use plotters::coord::Shift;
use plotters::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// What the page shows.
pub struct ReportPage<'a> {
    /// The page's heading.
    pub title: &'a str,
    /// A line under the heading (program, period).
    pub subtitle: &'a str,
    /// The period's report.
    pub report: &'a Report,
    /// Customer statistics, for the segments.
    pub stats: &'a Stats,
    /// Lifecycle triggers of one day, and that day.
    pub triggers: Option<(&'a str, &'a Triggers)>,
    /// The currency's code, after money figures.
    pub currency: &'a str,
}

const WIDTH: u32 = 560;
const HEIGHT: u32 = 300;
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const TEAL: RGBColor = RGBColor(0, 121, 107);
const AMBER: RGBColor = RGBColor(230, 145, 0);
const CRIMSON: RGBColor = RGBColor(183, 28, 28);

type Drawn = Result<(), Box<dyn std::error::Error>>;

/// One figure of a month of points.
type MonthValue = fn(&loyalty_core::insights::PointsMonth) -> Decimal;

/// Draws into an SVG of the chart size and gives its text.
fn svg(draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Drawn) -> Result<String, String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        draw(&root).map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

fn float(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// An axis value, grouped by thousands (`1,200,000`).
fn axis(v: &f64) -> String {
    Decimal::from_f64_retain(*v).map_or_else(String::new, group)
}

/// A bar per name, in the order given.
fn bars(caption: &str, counts: &[(String, f64)], color: RGBColor) -> Result<String, String> {
    svg(|root| {
        let n = u32::try_from(counts.len()).unwrap_or(u32::MAX).max(1);
        let top = counts.iter().map(|c| c.1).fold(1.0, f64::max) * 1.1;
        let mut chart = ChartBuilder::on(root)
            .caption(caption, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d((0..n.saturating_sub(1)).into_segmented(), 0.0..top)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .y_labels(6)
            .y_label_formatter(&axis)
            .x_labels(counts.len())
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => usize::try_from(*i)
                    .ok()
                    .and_then(|i| counts.get(i))
                    .map(|c| c.0.clone())
                    .unwrap_or_default(),
                SegmentValue::Last => String::new(),
            })
            .draw()?;
        chart.draw_series(
            Histogram::vertical(&chart)
                .style(color.filled())
                .margin(6)
                .data((0..n).zip(counts.iter().map(|c| c.1))),
        )?;
        Ok(())
    })
}

/// Points issued, redeemed and expired by month: a line each.
fn points_chart(report: &Report) -> Result<Option<String>, String> {
    let Some(points) = &report.points else {
        return Ok(None);
    };
    let months = &points.months;
    let n = i32::try_from(months.len()).unwrap_or(i32::MAX).max(1);
    let top = months
        .iter()
        .flat_map(|m| [m.issued, m.redeemed, m.expired])
        .map(float)
        .fold(1.0, f64::max)
        * 1.1;
    let series: [(&str, RGBColor, MonthValue); 3] = [
        ("issued", TEAL, |m| m.issued),
        ("redeemed", AMBER, |m| m.redeemed),
        ("expired", CRIMSON, |m| m.expired),
    ];
    svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .caption("Points by month", ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(0..n.saturating_sub(1).max(1), 0.0..top)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .y_labels(6)
            .y_label_formatter(&axis)
            .x_labels(months.len())
            .x_label_formatter(&|i| {
                usize::try_from(*i)
                    .ok()
                    .and_then(|i| months.get(i))
                    .map(|m| m.month.clone())
                    .unwrap_or_default()
            })
            .draw()?;
        for (name, color, value) in series {
            chart
                .draw_series(LineSeries::new(
                    (0..n).zip(months.iter().map(|m| float(value(m)))),
                    color.stroke_width(3),
                ))?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new(
                        vec![(x, y), (x.saturating_add(18), y)],
                        color.stroke_width(3),
                    )
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.3))
            .position(SeriesLabelPosition::UpperLeft)
            .draw()?;
        Ok(())
    })
    .map(Some)
}

/// Orders by local weekday (rows) and hour (columns), darker for more.
fn heat_map(report: &Report) -> Result<String, String> {
    let max = report
        .weekday_hour
        .iter()
        .flatten()
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .caption("Orders by weekday and hour", ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(44)
            .build_cartesian_2d(0i32..24, 0i32..7)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(12)
            .y_labels(7)
            .y_label_formatter(&|d| {
                // Monday at the top.
                usize::try_from(6i32.saturating_sub(*d))
                    .ok()
                    .and_then(|d| WEEKDAYS.get(d))
                    .map(|d| (*d).to_owned())
                    .unwrap_or_default()
            })
            .y_label_offset(-12)
            .draw()?;
        let cells = report.weekday_hour.iter().zip(0i32..).flat_map(|(row, d)| {
            row.iter().zip(0i32..).map(move |(n, h)| {
                let t = *n as f64 / max as f64;
                let shade = |from: u8, to: u8| {
                    (f64::from(from) + (f64::from(to) - f64::from(from)) * t) as u8
                };
                let color = RGBColor(shade(240, TEAL.0), shade(248, TEAL.1), shade(247, TEAL.2));
                let y = 6i32.saturating_sub(d);
                Rectangle::new(
                    [(h, y), (h.saturating_add(1), y.saturating_add(1))],
                    color.filled(),
                )
            })
        });
        chart.draw_series(cells)?;
        Ok(())
    })
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn counts(list: &[Count]) -> Vec<(String, f64)> {
    list.iter()
        .map(|c| (c.name.clone(), c.count as f64))
        .collect()
}

/// The page, as HTML text.
pub fn html(page: &ReportPage<'_>) -> Result<String, String> {
    let r = page.report;
    let mut charts: Vec<String> = Vec::new();
    if let Some(points) = points_chart(r)? {
        charts.push(points);
    }
    if let Some(tiers) = &r.tiers {
        charts.push(bars("Members by tier", &counts(tiers), AMBER)?);
    }
    let segments: Vec<(String, f64)> = page
        .stats
        .segments
        .iter()
        .map(|s| (s.segment.replace('_', " "), s.customers as f64))
        .collect();
    charts.push(bars("Customers by RFM segment", &segments, TEAL)?);
    charts.push(heat_map(r)?);
    let payments: Vec<(String, f64)> = r
        .payments
        .iter()
        .map(|s| (s.name.clone(), s.orders as f64))
        .collect();
    charts.push(bars("Orders by payment method", &payments, CRIMSON)?);

    let mut out = String::new();
    let w = &mut out;
    let _ = write!(
        w,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{title}</title><style>{STYLE}</style></head><body>\
         <h1>{title}</h1><p class=\"sub\">{sub}</p><div class=\"cards\">",
        title = escape(page.title),
        sub = escape(page.subtitle),
    );
    let money = |d: Decimal| format!("{} {}", group(d), page.currency);
    let mut cards = vec![
        ("Orders", group(Decimal::from(r.orders))),
        ("Customers", group(Decimal::from(r.customers))),
        ("Revenue", money(r.revenue)),
        ("Average basket", money(r.average_basket)),
        ("Orders per customer", r.orders_per_customer.to_string()),
        ("Coupon orders", group(Decimal::from(r.coupons.orders))),
        ("On credit", money(r.credit.amount)),
    ];
    if let Some(p) = &r.points {
        cards.push(("Points issued", group(p.issued)));
        cards.push(("Points redeemed", group(p.redeemed)));
    }
    if let Some(refs) = &r.referrals {
        cards.push(("Referral sign-ups", group(Decimal::from(refs.linked))));
    }
    for (name, value) in cards {
        let _ = write!(
            w,
            "<div class=\"card\"><span>{}</span><b>{}</b></div>",
            escape(name),
            escape(&value)
        );
    }
    let _ = write!(w, "</div><div class=\"charts\">");
    for chart in &charts {
        let _ = write!(w, "<figure>{chart}</figure>");
    }
    let _ = write!(
        w,
        "</div><h2>Top spenders</h2><table><tr><th>Customer</th><th>Orders</th><th>Spend</th></tr>"
    );
    for t in &r.top_spenders {
        let _ = write!(
            w,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&t.customer),
            t.visits,
            escape(&money(t.spend))
        );
    }
    let _ = write!(w, "</table>");
    if let Some((day, triggers)) = page.triggers {
        let _ = write!(
            w,
            "<h2>Lifecycle messages due on {}</h2><table><tr><th>Customer</th><th>Why</th><th>About</th><th>Code</th></tr>",
            escape(day)
        );
        for t in triggers.triggers.iter().take(25) {
            let kind = serde_json::to_value(t.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let _ = write!(
                w,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&t.customer),
                escape(&kind.replace('_', " ")),
                escape(&t.on),
                escape(t.coupon.as_ref().map_or("", |c| c.code.as_str()))
            );
        }
        let more = triggers.triggers.len().saturating_sub(25);
        if more > 0 {
            let _ = write!(w, "<tr><td colspan=\"4\">and {more} more</td></tr>");
        }
        let _ = write!(w, "</table>");
    }
    let _ = writeln!(
        w,
        "<p class=\"sub\">Drawn by the loyalty engine's demo; every figure comes from \
         <code>Program::report</code>, <code>customer_stats</code> and <code>triggers</code>.</p></body></html>"
    );
    Ok(out)
}

/// A whole number with thousands separators.
fn group(d: Decimal) -> String {
    let text = d.round().to_string();
    let (sign, digits) = text
        .strip_prefix('-')
        .map_or(("", text.as_str()), |t| ("-", t));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && digits.len().saturating_sub(i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:24px auto;max-width:1180px;color:#222}\
h1{margin:0 0 4px}.sub{color:#666;margin:0 0 16px}\
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:16px 0}\
.card{border:1px solid #ddd;border-radius:8px;padding:8px 14px;min-width:130px}\
.card span{display:block;color:#666;font-size:13px}.card b{font-size:20px}\
.charts{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0;border:1px solid #eee;border-radius:8px}\
table{border-collapse:collapse;margin:8px 0 20px}td,th{border-bottom:1px solid #eee;padding:4px 12px;text-align:left}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands() {
        assert_eq!(group(Decimal::new(123_456_789, 2)), "1,234,568");
        assert_eq!(group(Decimal::from(-1000)), "-1,000");
        assert_eq!(group(Decimal::ZERO), "0");
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<b>\"a&b\"</b>"),
            "&lt;b&gt;&quot;a&amp;b&quot;&lt;/b&gt;"
        );
    }
}
