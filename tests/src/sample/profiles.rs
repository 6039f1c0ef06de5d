//! Seeded loyalty profiles with the truth, for profile-merging work: people
//! seen in one to four channels (`web`, `pos`, `app`, `import`), each profile
//! typed the way that channel types it.
//!
//! * **Names** in Persian script (sometimes with Arabic-keyboard `ي`/`ك`, a
//!   zero-width non-joiner in compound names, a tatweel), in a Latin
//!   transliteration (spelled a few ways), or Arabic names for the chain's
//!   Saudi customers; one typing error (an edit) now and then; sometimes the
//!   given name only, or none.
//! * **Phones**, mostly Iranian mobiles (`+98 912 ...`, `0912 ...`,
//!   `0098...`, `912...`, Persian or Arabic-Indic digits, dashes, spaces,
//!   parentheses), some Saudi mobiles (`+966 5x ...`); app phones are often
//!   verified; some people have a second SIM.
//! * **E-mails** with case changes, gmail dots and `+tags`.
//! * **Birth dates** sometimes, **cities**, cards on some POS profiles.
//! * **Households**: relatives share the family name and a household phone
//!   (sometimes an e-mail), with other given names; they are other people.
//! * **Placeholders** (`0000000000`, `test@test.com`, `1900-01-01`) on a few
//!   unrelated people's profiles.
//!
//! Every profile of a person after the first shares a strong signal with an
//! earlier one (a phone, an e-mail, or the name with the birth date), so a
//! matcher could in principle find them all; how hard each link is depends on
//! the draw. As in the rest of the sample data, each household has its own
//! ChaCha8 stream: `generate(s, 10)` starts like `generate(s, 1000)`.

use loyalty_core::identity::{Contact, Profile};
use rand::seq::IndexedRandom;
use rand::{Rng, RngExt};

use super::{Dataset, SampleRng, catalog, chance, eastern_digits, person_rng, pick};

/// The sample program's `[merge]` region.
pub const REGION: &str = "IR";

/// Given names: Persian script, Latin spellings (the first is the usual one).
const GIVEN: &[(&str, &[&str])] = &[
    ("علی", &["ali"]),
    ("محمد", &["mohammad", "mohamad", "muhammad"]),
    ("رضا", &["reza"]),
    ("حسین", &["hossein", "hosein", "hussein"]),
    ("مهدی", &["mehdi", "mahdi"]),
    ("امیر", &["amir"]),
    ("آرش", &["arash"]),
    ("کیان", &["kian"]),
    ("بهرام", &["bahram"]),
    ("کاوه", &["kaveh", "kave"]),
    ("سیاوش", &["siavash", "siyavash"]),
    ("حمید", &["hamid"]),
    ("یوسف", &["yousef", "yusef", "yosef"]),
    ("علی‌رضا", &["alireza", "ali reza"]),
    ("محمدرضا", &["mohammadreza", "mohamadreza"]),
    ("امیرحسین", &["amirhossein", "amir hossein"]),
    ("مرتضی", &["morteza"]),
    ("مصطفی", &["mostafa", "mustafa"]),
    ("سعید", &["saeed", "saeid", "said"]),
    ("مجید", &["majid"]),
    ("بابک", &["babak"]),
    ("کامران", &["kamran"]),
    ("پویا", &["pouya", "pooya"]),
    ("سینا", &["sina"]),
    ("نیما", &["nima"]),
    ("فرهاد", &["farhad"]),
    ("داریوش", &["dariush", "daryoush"]),
    ("کوروش", &["kourosh", "cyrus", "koorosh"]),
    ("جواد", &["javad"]),
    ("اکبر", &["akbar"]),
    ("سارا", &["sara", "sarah"]),
    ("مریم", &["maryam", "mariam"]),
    ("زهرا", &["zahra"]),
    ("فاطمه", &["fatemeh", "fatima", "fateme"]),
    ("نگار", &["negar"]),
    ("نرگس", &["narges"]),
    ("پریسا", &["parisa"]),
    ("شیرین", &["shirin"]),
    ("یاسمن", &["yasaman", "yasamin"]),
    ("لیلا", &["leila", "leyla", "laila"]),
    ("مینا", &["mina"]),
    ("ژاله", &["zhaleh", "jaleh"]),
    ("کیمیا", &["kimia"]),
    ("الهام", &["elham"]),
    ("آزاده", &["azadeh"]),
    ("فرناز", &["farnaz"]),
    ("مهسا", &["mahsa"]),
    ("نازنین", &["nazanin"]),
    ("سمیرا", &["samira"]),
    ("طاهره", &["tahereh"]),
    ("معصومه", &["masoumeh", "masoume"]),
    ("سپیده", &["sepideh"]),
    ("هانیه", &["hanieh", "haniyeh"]),
    ("ستاره", &["setareh"]),
    ("رویا", &["roya"]),
    ("بهاره", &["bahareh"]),
    ("فریبا", &["fariba"]),
    ("نسرین", &["nasrin"]),
];

/// Family names: Persian script, Latin spellings.
const FAMILY: &[(&str, &[&str])] = &[
    ("محمدی", &["mohammadi", "mohamadi"]),
    ("حسینی", &["hosseini", "hoseini"]),
    ("احمدی", &["ahmadi"]),
    ("رضایی", &["rezaei", "rezaee", "rezaie"]),
    ("کریمی", &["karimi"]),
    ("موسوی", &["mousavi", "moosavi", "musavi"]),
    ("جعفری", &["jafari", "jafary"]),
    ("صادقی", &["sadeghi"]),
    ("کاظمی", &["kazemi"]),
    ("رحیمی", &["rahimi"]),
    ("تهرانی", &["tehrani"]),
    ("شیرازی", &["shirazi"]),
    ("اصفهانی", &["esfahani", "isfahani"]),
    ("یزدانی", &["yazdani"]),
    ("نوری", &["nouri", "noori"]),
    ("کیانی", &["kiani"]),
    ("فرهادی", &["farhadi"]),
    ("قاسمی", &["ghasemi", "qasemi"]),
    ("ملکی", &["maleki"]),
    ("بهرامی", &["bahrami"]),
    ("اکبری", &["akbari"]),
    ("کرمانی", &["kermani"]),
    ("هاشمی", &["hashemi"]),
    ("عباسی", &["abbasi"]),
    ("ابراهیمی", &["ebrahimi"]),
    ("نجفی", &["najafi"]),
    ("سلطانی", &["soltani"]),
    ("زارعی", &["zarei", "zareie"]),
    ("طاهری", &["taheri"]),
    ("حیدری", &["heidari", "heydari"]),
    ("مرادی", &["moradi"]),
    ("قربانی", &["ghorbani"]),
    ("سلیمانی", &["soleimani", "solaimani"]),
    ("اسدی", &["asadi"]),
    ("باقری", &["bagheri"]),
    ("رستمی", &["rostami"]),
    ("امینی", &["amini"]),
    ("نظری", &["nazari"]),
    ("کاظم‌زاده", &["kazemzadeh"]),
    ("حسین‌زاده", &["hosseinzadeh", "hoseinzadeh"]),
    ("محمدی‌نژاد", &["mohammadinejad"]),
    ("علی‌پور", &["alipour", "alipoor"]),
    ("شریفی", &["sharifi"]),
    ("یوسفی", &["yousefi"]),
    ("خسروی", &["khosravi"]),
    ("میرزایی", &["mirzaei"]),
    ("فتحی", &["fathi"]),
    ("پورمحمدی", &["pourmohammadi"]),
    ("دهقان", &["dehghan"]),
    ("جلالی", &["jalali"]),
    ("صفری", &["safari"]),
    ("بابایی", &["babaei"]),
    ("رحمانی", &["rahmani"]),
    ("توکلی", &["tavakoli"]),
    ("اسماعیلی", &["esmaeili", "esmaili"]),
    ("کامرانی", &["kamrani"]),
    ("وحیدی", &["vahidi"]),
    ("عزیزی", &["azizi"]),
    ("منصوری", &["mansouri"]),
    ("افشار", &["afshar"]),
];

/// Arabic given names (Saudi customers): Arabic script, Latin spellings.
const ARABIC_GIVEN: &[(&str, &[&str])] = &[
    ("عبدالله", &["abdullah", "abdallah"]),
    ("فهد", &["fahad", "fahd"]),
    ("خالد", &["khalid", "khaled"]),
    ("سلطان", &["sultan"]),
    ("فيصل", &["faisal", "faysal"]),
    ("نورة", &["noura", "nora"]),
    ("عبدالرحمن", &["abdulrahman", "abdelrahman"]),
    ("ريم", &["reem", "rim"]),
    ("هيفاء", &["haifa"]),
    ("تركي", &["turki"]),
];

/// Arabic family names.
const ARABIC_FAMILY: &[(&str, &[&str])] = &[
    ("العتيبي", &["alotaibi", "al-otaibi"]),
    ("القحطاني", &["alqahtani", "al-qahtani"]),
    ("الشمري", &["alshammari", "al-shammari"]),
    ("الدوسري", &["aldosari", "al-dossary"]),
    ("الغامدي", &["alghamdi"]),
    ("الحربي", &["alharbi"]),
    ("الزهراني", &["alzahrani"]),
    ("المطيري", &["almutairi"]),
];

const SAUDI_PREFIXES: &[&str] = &["50", "53", "54", "55", "56", "59"];
const CHANNELS: &[(&str, u32)] = &[("pos", 45), ("app", 25), ("web", 20), ("import", 10)];
const PLACEHOLDER_PHONES: &[&str] = &["0000000000", "0 000 000 0000", "۰۰۰۰۰۰۰۰۰۰"];
const PLACEHOLDER_EMAILS: &[&str] = &["test@test.com", "a@a.com", "no@email.com"];

/// What a person's profiles are drawn from.
struct Person {
    truth: String,
    given: &'static (&'static str, &'static [&'static str]),
    family: &'static (&'static str, &'static [&'static str]),
    saudi: bool,
    /// National number without the leading 0 (`9121234567`, `501234567`).
    mobile: String,
    second_mobile: Option<String>,
    /// A household phone (another member's mobile) this person also gives.
    household_phone: Option<String>,
    email: Option<(String, &'static str)>,
    birth_date: Option<String>,
    city: &'static str,
}

fn one<T: Copy, R: Rng + ?Sized>(rng: &mut R, items: &[T], fallback: T) -> T {
    items.choose(rng).copied().unwrap_or(fallback)
}

fn iranian_mobile<R: Rng + ?Sized>(rng: &mut R) -> String {
    let prefix = one(rng, catalog::MOBILE_PREFIXES, "912");
    format!("{prefix}{:07}", rng.random_range(0..10_000_000_u32))
}

fn saudi_mobile<R: Rng + ?Sized>(rng: &mut R) -> String {
    let prefix = one(rng, SAUDI_PREFIXES, "55");
    format!("{prefix}{:07}", rng.random_range(0..10_000_000_u32))
}

/// `digits` cut into groups of the given lengths, joined by `sep`.
fn groups(digits: &str, sizes: &[usize], sep: &str) -> String {
    let mut out = String::new();
    let mut rest = digits;
    for &n in sizes {
        if rest.is_empty() {
            break;
        }
        let (a, b) = rest.split_at(rest.char_indices().nth(n).map_or(rest.len(), |(i, _)| i));
        if !out.is_empty() {
            out.push_str(sep);
        }
        out.push_str(a);
        rest = b;
    }
    if !rest.is_empty() {
        out.push_str(sep);
        out.push_str(rest);
    }
    out
}

/// A mobile as some clerk or customer typed it.
fn typed_phone<R: Rng + ?Sized>(rng: &mut R, national: &str, saudi: bool) -> String {
    let text = if saudi {
        match rng.random_range(0..6_u32) {
            0 => format!("+966{national}"),
            1 => format!("+966 {}", groups(national, &[2, 3], " ")),
            2 => format!("00966{national}"),
            3 => format!("+966-{}", groups(national, &[2, 3], "-")),
            4 => format!("(+966) {national}"),
            _ => format!("00966 {}", groups(national, &[2, 3], " ")),
        }
    } else {
        let local = format!("0{national}");
        match rng.random_range(0..100_u32) {
            0..30 => local,
            30..40 => groups(&local, &[4, 3], " "),
            40..46 => groups(&local, &[4, 3], "-"),
            46..56 => format!("+98{national}"),
            56..63 => format!("+98 {}", groups(national, &[3, 3], " ")),
            63..68 => format!("0098{national}"),
            68..71 => format!("0098 {}", groups(national, &[3], " ")),
            71..75 => national.to_owned(),
            75..78 => format!("({}) {}", local.get(..4).unwrap_or(""), {
                groups(local.get(4..).unwrap_or(""), &[3], "-")
            }),
            78..79 => format!("(+98) {national}"),
            79..82 => format!("+98 ({}) {}", national.get(..3).unwrap_or(""), {
                national.get(3..).unwrap_or("")
            }),
            _ => return typed_digits(rng, &local, national),
        }
    };
    // Now and then a phone typed on an Arabic keyboard.
    if saudi && chance(rng, 15) {
        eastern_digits(&text, false)
    } else {
        text
    }
}

/// An Iranian mobile in Persian or Arabic-Indic digits.
fn typed_digits<R: Rng + ?Sized>(rng: &mut R, local: &str, national: &str) -> String {
    match rng.random_range(0..5_u32) {
        0 | 1 => eastern_digits(local, true),
        2 => eastern_digits(&groups(local, &[4, 3], " "), true),
        3 => eastern_digits(&format!("+98{national}"), true),
        _ => eastern_digits(local, false),
    }
}

/// An e-mail as some channel has it.
fn typed_email<R: Rng + ?Sized>(rng: &mut R, user: &str, domain: &str) -> String {
    let gmail = domain == "gmail.com";
    let tags = gmail || domain == "outlook.com";
    match rng.random_range(0..100_u32) {
        0..55 => format!("{user}@{domain}"),
        55..65 => format!("{user}@{domain}").to_uppercase(),
        65..75 => {
            let mut cap = String::new();
            for (i, part) in user.split('.').enumerate() {
                if i > 0 {
                    cap.push('.');
                }
                let mut chars = part.chars();
                if let Some(c) = chars.next() {
                    cap.extend(c.to_uppercase());
                    cap.push_str(chars.as_str());
                }
            }
            format!("{cap}@{}", domain.to_uppercase())
        }
        75..85 if gmail => format!("{}@{domain}", user.replace('.', "")),
        85..95 if tags => {
            let tag = one(rng, &["club", "shop", "cafe", "promo"], "club");
            format!("{user}+{tag}@{domain}")
        }
        _ => format!(" {user}@{domain} "),
    }
}

/// One typing error: a letter dropped, doubled, swapped with the next, or replaced.
fn typo<R: Rng + ?Sized>(rng: &mut R, word: &str, latin: bool) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.len() < 3 {
        return word.to_owned();
    }
    // Not the first letter: blocking and people both anchor on it.
    let at = rng.random_range(1..chars.len());
    match rng.random_range(0..4_u32) {
        0 => {
            chars.remove(at);
        }
        1 => {
            if let Some(&c) = chars.get(at) {
                chars.insert(at, c);
            }
        }
        2 if at.saturating_add(1) < chars.len() => chars.swap(at, at.saturating_add(1)),
        _ => {
            let pool: &[char] = if latin {
                &['a', 'e', 'i', 'o', 'u', 'h', 'r', 'n']
            } else {
                &['ا', 'ه', 'ی', 'و', 'ر', 'ن', 'د', 'م']
            };
            if let Some(slot) = chars.get_mut(at) {
                *slot = one(rng, pool, 'a');
            }
        }
    }
    chars.into_iter().collect()
}

/// A name in Persian (or Arabic) script with the keyboard's quirks.
fn script_name<R: Rng + ?Sized>(rng: &mut R, word: &str) -> String {
    let mut s = word.to_owned();
    if chance(rng, 20) {
        s = s.replace('ی', "ي").replace('ک', "ك");
    }
    if s.contains('\u{200C}') && chance(rng, 40) {
        // The half space typed as a full one, or not at all.
        s = s.replace('\u{200C}', if chance(rng, 50) { " " } else { "" });
    }
    if chance(rng, 4) {
        // A tatweel stretching the word after its first letter.
        let mut chars = s.chars();
        if let Some(c) = chars.next() {
            s = format!("{c}\u{0640}{}", chars.as_str());
        }
    }
    s
}

fn capitalize(word: &str) -> String {
    word.split(' ')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn draw_person<R: Rng + ?Sized>(rng: &mut R, truth: String) -> Person {
    let saudi = chance(rng, 7);
    let (given, family) = if saudi {
        (ARABIC_GIVEN.choose(rng), ARABIC_FAMILY.choose(rng))
    } else {
        (GIVEN.choose(rng), FAMILY.choose(rng))
    };
    let fallback: &'static (&'static str, &'static [&'static str]) = &("علی", &["ali"]);
    let mobile = if saudi {
        saudi_mobile(rng)
    } else {
        iranian_mobile(rng)
    };
    let second_mobile = (!saudi && chance(rng, 6)).then(|| iranian_mobile(rng));
    let email = chance(rng, 55).then(|| {
        let truth = truth.as_str();
        let g = given.unwrap_or(fallback).1.first().copied().unwrap_or("x");
        let f = family.unwrap_or(fallback).1.first().copied().unwrap_or("x");
        let g = g.replace(' ', "");
        let f = f.replace([' ', '-'], "");
        let mut user = match rng.random_range(0..4_u32) {
            0 => format!("{g}.{f}"),
            1 => format!("{g}{f}"),
            2 => format!("{}.{f}", g.get(..1).unwrap_or("x")),
            _ => format!("{g}_{f}"),
        };
        // A mailbox is one person's: the number keeps namesakes apart.
        user.push_str(truth.trim_start_matches('p'));
        (user, pick(rng, catalog::EMAIL_DOMAINS, "gmail.com"))
    });
    let birth_date = chance(rng, 55).then(|| {
        format!(
            "{}-{:02}-{:02}",
            rng.random_range(1955..=2007_u32),
            rng.random_range(1..=12_u32),
            rng.random_range(1..=28_u32)
        )
    });
    let city = if saudi {
        one(rng, &["riyadh", "jeddah", "tehran"], "tehran")
    } else {
        pick(rng, catalog::CITIES, "tehran")
    };
    Person {
        truth,
        given: given.unwrap_or(fallback),
        family: family.unwrap_or(fallback),
        saudi,
        mobile,
        second_mobile,
        household_phone: None,
        email,
        birth_date,
        city,
    }
}

/// Which script a profile writes the name in.
#[derive(Clone, Copy, PartialEq)]
enum Script {
    Native,
    Latin,
}

/// One profile of `p` opened in `channel`.
fn draw_profile<R: Rng + ?Sized>(rng: &mut R, p: &Person, channel: &str, id: String) -> Profile {
    let script = match channel {
        "web" if chance(rng, 55) => Script::Latin,
        "app" if chance(rng, 25) => Script::Latin,
        "import" if chance(rng, 15) => Script::Latin,
        _ => Script::Native,
    };
    let word = |rng: &mut R, n: &(&str, &[&str])| -> String {
        let text = match script {
            Script::Native => script_name(rng, n.0),
            Script::Latin => {
                let spelling = if chance(rng, 70) {
                    n.1.first().copied()
                } else {
                    n.1.choose(rng).copied()
                };
                let s = spelling.unwrap_or("x");
                if chance(rng, 60) {
                    capitalize(s)
                } else {
                    s.to_owned()
                }
            }
        };
        if chance(rng, 7) {
            typo(rng, &text, script == Script::Latin)
        } else {
            text
        }
    };
    let mut profile = Profile {
        id,
        source: Some(channel.to_owned()),
        updated: Some(format!(
            "2025-{:02}-{:02}",
            rng.random_range(1..=12_u32),
            rng.random_range(1..=28_u32)
        )),
        ..Profile::default()
    };
    let given = word(rng, p.given);
    let family = word(rng, p.family);
    match rng.random_range(0..100_u32) {
        // POS clerks often take a first name only.
        0..25 if channel == "pos" => profile.name = Some(given),
        0..4 => {}
        4..50 => {
            profile.given_name = Some(given);
            profile.family_name = Some(family);
        }
        _ => profile.name = Some(format!("{given} {family}")),
    }
    let (phone_share, email_share) = match channel {
        "pos" => (92, 12),
        "app" => (95, 45),
        "web" => (55, 97),
        _ => (85, 60),
    };
    if chance(rng, phone_share) {
        let number = match &p.second_mobile {
            Some(m) if chance(rng, 30) => m.clone(),
            _ => p.mobile.clone(),
        };
        profile.phones.push(Contact {
            value: typed_phone(rng, &number, p.saudi),
            verified: channel == "app" && chance(rng, 60),
        });
    }
    if let Some(home) = &p.household_phone
        && chance(rng, 50)
    {
        profile.phones.push(Contact {
            value: typed_phone(rng, home, false),
            verified: false,
        });
    }
    if let Some((user, domain)) = &p.email
        && chance(rng, email_share)
    {
        profile.emails.push(Contact {
            value: typed_email(rng, user, domain),
            verified: channel == "web" && chance(rng, 30),
        });
    }
    let dob_share = match channel {
        "import" => 80,
        "app" => 60,
        "web" => 40,
        _ => 15,
    };
    if let Some(d) = &p.birth_date
        && chance(rng, dob_share)
    {
        profile.birth_date = Some(match rng.random_range(0..4_u32) {
            0 => d.replace('-', ""),
            1 => d.replace('-', "/"),
            _ => d.clone(),
        });
    }
    if chance(rng, 50) {
        profile.city = Some(match script {
            Script::Native => match p.city {
                "tehran" => "تهران",
                "karaj" => "کرج",
                "isfahan" => "اصفهان",
                "qom" => "قم",
                "riyadh" => "الرياض",
                "jeddah" => "جدة",
                other => other,
            }
            .to_owned(),
            Script::Latin => capitalize(p.city),
        });
    }
    if channel == "pos" && chance(rng, 40) {
        profile
            .cards
            .push(format!("TC{:010}", rng.random_range(0..10_000_000_000_u64)));
    }
    // Placeholders the till or the form filled in.
    if profile.phones.is_empty() && chance(rng, 25) {
        profile.phones.push(Contact {
            value: one(rng, PLACEHOLDER_PHONES, "0000000000").to_owned(),
            verified: false,
        });
    }
    if profile.emails.is_empty() && channel != "pos" && chance(rng, 8) {
        profile.emails.push(Contact {
            value: one(rng, PLACEHOLDER_EMAILS, "test@test.com").to_owned(),
            verified: false,
        });
    }
    if profile.birth_date.is_none() && channel == "import" && chance(rng, 10) {
        profile.birth_date = Some("1900-01-01".to_owned());
    }
    profile
}

fn digits(text: &str) -> String {
    loyalty_core::identity::fold_digits(text)
        .chars()
        .filter(char::is_ascii_digit)
        .collect()
}

/// Whether `a` and `b` (of one person) share a phone, an e-mail, or the
/// birth date with a name: what a matcher needs to see them as one.
fn strong_signal(p: &Person, a: &Profile, b: &Profile) -> bool {
    let own = |x: &Profile| -> Vec<String> {
        x.phones
            .iter()
            .map(|c| digits(&c.value))
            .filter_map(|d| {
                [Some(&p.mobile), p.second_mobile.as_ref()]
                    .into_iter()
                    .flatten()
                    .find(|m| d.ends_with(m.as_str()))
                    .cloned()
            })
            .collect()
    };
    let (pa, pb) = (own(a), own(b));
    if pa.iter().any(|x| pb.contains(x)) {
        return true;
    }
    let real_email = |x: &Profile| {
        x.emails
            .iter()
            .any(|c| !PLACEHOLDER_EMAILS.contains(&c.value.as_str()))
    };
    if real_email(a) && real_email(b) {
        return true;
    }
    let named = |x: &Profile| {
        x.name.is_some() && x.name.as_deref().is_some_and(|n| n.contains(' '))
            || x.given_name.is_some() && x.family_name.is_some()
    };
    let dated = |x: &Profile| x.birth_date.as_deref().is_some_and(|d| d != "1900-01-01");
    named(a) && named(b) && dated(a) && dated(b)
}

/// Gives `profile` the person's mobile, typed afresh.
fn add_mobile<R: Rng + ?Sized>(rng: &mut R, p: &Person, profile: &mut Profile) {
    profile.phones.retain(|c| {
        let d = digits(&c.value);
        !d.is_empty() && d.bytes().any(|b| b != b'0')
    });
    profile.phones.push(Contact {
        value: typed_phone(rng, &p.mobile, p.saudi),
        verified: false,
    });
}

fn household(rng: &mut SampleRng, seed_person: &mut u32, out: &mut Vec<Person>) {
    let head = draw_person(rng, format!("p{seed_person}"));
    *seed_person = seed_person.saturating_add(1);
    let relatives = if head.saudi {
        0
    } else {
        pick(rng, &[(0_u32, 88), (1, 8), (2, 4)], 0)
    };
    let home = head.mobile.clone();
    let family = head.family;
    let shared_email = head.email.clone();
    let mut taken = vec![head.given.0];
    out.push(head);
    for _ in 0..relatives {
        let mut r = draw_person(rng, format!("p{seed_person}"));
        *seed_person = seed_person.saturating_add(1);
        if r.saudi {
            // An Iranian household: an Iranian name and mobile.
            r.saudi = false;
            r.mobile = iranian_mobile(rng);
            r.given = GIVEN.choose(rng).unwrap_or(r.given);
            r.email = None;
            r.city = "tehran";
        }
        r.family = family;
        // Another given name than everyone else's in the house.
        for _ in 0..8 {
            if !taken.contains(&r.given.0) {
                break;
            }
            r.given = GIVEN.choose(rng).unwrap_or(r.given);
        }
        taken.push(r.given.0);
        if chance(rng, 40) {
            // No phone of their own: the house's is the one they give.
            r.mobile.clone_from(&home);
            r.second_mobile = None;
        } else {
            r.household_phone = Some(home.clone());
        }
        if chance(rng, 20) {
            r.email.clone_from(&shared_email);
        }
        out.push(r);
    }
}

/// The profiles of `people` people from `seed`, and the true person of each.
pub fn generate(seed: u64, people: usize) -> (Vec<Profile>, Vec<String>) {
    draw(seed, people, usize::MAX)
}

/// About `profiles` profiles (exactly that many, the last person's cut short
/// if need be), and the true person of each.
pub fn generate_profiles(seed: u64, profiles: usize) -> (Vec<Profile>, Vec<String>) {
    draw(seed, usize::MAX, profiles)
}

fn draw(seed: u64, people: usize, limit: usize) -> (Vec<Profile>, Vec<String>) {
    let capacity = limit.min(people.saturating_mul(2)).min(1 << 24);
    let mut profiles: Vec<Profile> = Vec::with_capacity(capacity);
    let mut truth: Vec<String> = Vec::with_capacity(capacity);
    let mut person: u32 = 0;
    let mut house: u32 = 0;
    let mut persons: Vec<Person> = Vec::new();
    let mut done = 0usize;
    'outer: while done < people && profiles.len() < limit {
        let mut rng = person_rng(seed ^ 0x7072_6f66_696c_6573, house);
        house = house.saturating_add(1);
        persons.clear();
        household(&mut rng, &mut person, &mut persons);
        for p in &persons {
            if done >= people || profiles.len() >= limit {
                break 'outer;
            }
            done = done.saturating_add(1);
            let count = pick(&mut rng, &[(1_usize, 52), (2, 28), (3, 13), (4, 7)], 1);
            let first = profiles.len();
            for k in 0..count {
                if profiles.len() >= limit {
                    break;
                }
                let channel = pick(&mut rng, CHANNELS, "pos");
                let id = format!("{channel}-{:07}", profiles.len().saturating_add(1));
                let mut profile = draw_profile(&mut rng, p, channel, id);
                let earlier = profiles.get(first..).unwrap_or_default();
                if k > 0 && !earlier.iter().any(|e| strong_signal(p, e, &profile)) {
                    add_mobile(&mut rng, p, &mut profile);
                    if let Some(anchor) = profiles.get_mut(first)
                        && !strong_signal(p, anchor, &profile)
                    {
                        add_mobile(&mut rng, p, anchor);
                    }
                }
                profiles.push(profile);
                truth.push(p.truth.clone());
            }
        }
    }
    (profiles, truth)
}

/// The demo data's customers as the profiles a host would deduplicate: id,
/// channel, name, phone and e-mail as typed, card, birth date and city.
/// Second profiles ([`super::SampleCustomer::duplicate_of`]) are the
/// cross-channel duplicates.
pub fn of_dataset(data: &Dataset) -> Vec<Profile> {
    data.customers
        .iter()
        .map(|c| Profile {
            id: c.id().to_owned(),
            source: Some(c.channel.clone()),
            updated: c.profile.joined_on.map(|d| d.to_string()),
            name: Some(c.name.clone()),
            phones: vec![Contact {
                value: c.phone.clone(),
                verified: false,
            }],
            emails: c
                .email
                .iter()
                .map(|e| Contact {
                    value: e.clone(),
                    verified: false,
                })
                .collect(),
            cards: c.profile.card.iter().cloned().collect(),
            birth_date: c.profile.birth_date.map(|d| d.to_string()),
            city: c.profile.attributes.get("city").cloned(),
            ..Profile::default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn seeded_and_prefix_stable() {
        let (a, ta) = generate(3, 200);
        let (b, tb) = generate(3, 200);
        assert_eq!((&a, &ta), (&b, &tb));
        let (c, _) = generate(3, 50);
        let n = c.len().saturating_sub(4);
        assert_eq!(a[..n], c[..n]);
        let ids: BTreeSet<&str> = a.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids.len(), a.len());
        assert_eq!(ta.iter().collect::<BTreeSet<_>>().len(), 200);
        assert_eq!(generate_profiles(3, 300).0.len(), 300);
    }

    #[test]
    fn demo_duplicates_merge() {
        let program = crate::sample::program().unwrap();
        let data = crate::sample::generate(crate::sample::DEFAULT_SEED, 300);
        let answer = program
            .dedupe(&of_dataset(&data), Default::default())
            .unwrap();
        assert!(answer.stats.customers < data.customers.len());
        for (second, first) in data.duplicates() {
            let (a, b) = (
                data.customers
                    .iter()
                    .position(|c| c.id() == second.id())
                    .unwrap(),
                data.customers
                    .iter()
                    .position(|c| c.id() == first.id())
                    .unwrap(),
            );
            if first.phone != "0000000000" {
                assert_eq!(answer.cluster_of[a], answer.cluster_of[b], "{second:?}");
            }
        }
    }

    #[test]
    fn every_later_profile_shares_a_strong_signal() {
        let (profiles, truth) = generate(11, 2000);
        let mut x = 0;
        while x < profiles.len() {
            let mut y = x;
            while truth.get(y) == truth.get(x) {
                y += 1;
            }
            // Households are drawn together; rebuild nothing, just check
            // that each later profile shares a phone digit string or an
            // e-mail or a birth date with an earlier one.
            for k in x + 1..y {
                let p = &profiles[k];
                let ok = profiles[x..k].iter().any(|e| {
                    let ph = |q: &Profile| -> BTreeSet<String> {
                        q.phones
                            .iter()
                            .map(|c| digits(&c.value))
                            .map(|d| d.chars().rev().take(9).collect())
                            .collect()
                    };
                    !ph(e).is_disjoint(&ph(p))
                        || (!e.emails.is_empty() && !p.emails.is_empty())
                        || (e.birth_date.is_some() && p.birth_date.is_some())
                });
                assert!(
                    ok,
                    "{:?} has nothing in common with {:?}",
                    p,
                    &profiles[x..k]
                );
            }
            x = y;
        }
    }
}
