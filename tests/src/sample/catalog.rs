//! What the sample chain sells, where, and the people who buy it: fixed
//! tables, so only the seeded draws vary.

use loyalty_core::model::LineKind;

/// A product on the menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Product {
    /// Stock keeping unit.
    pub sku: &'static str,
    /// Categories the rules match on.
    pub categories: &'static [&'static str],
    /// Price in rials, per unit or per kilogram when sold by weight.
    pub price: u64,
    /// Relative popularity.
    pub weight: u32,
    /// Item, or a gift-card sale.
    pub kind: LineKind,
    /// Sold by weight in quarter kilograms (fractional quantities).
    pub by_weight: bool,
}

const fn item(
    sku: &'static str,
    categories: &'static [&'static str],
    price: u64,
    weight: u32,
) -> Product {
    Product {
        sku,
        categories,
        price,
        weight,
        kind: LineKind::Item,
        by_weight: false,
    }
}

const fn by_kg(
    sku: &'static str,
    categories: &'static [&'static str],
    price: u64,
    weight: u32,
) -> Product {
    Product {
        by_weight: true,
        ..item(sku, categories, price, weight)
    }
}

/// The menu, prices in rials (45,000 to 900,000 IRR a unit or kilogram).
pub const PRODUCTS: &[Product] = &[
    item("espresso", &["coffee", "hot-drinks"], 95_000, 12),
    item("latte", &["coffee", "hot-drinks"], 150_000, 14),
    item("cappuccino", &["coffee", "hot-drinks"], 140_000, 10),
    item("turkish-coffee", &["coffee", "hot-drinks"], 110_000, 6),
    item("iced-latte", &["coffee", "cold-drinks"], 170_000, 6),
    item("chai-saffron", &["tea", "hot-drinks"], 85_000, 8),
    item("chai-nabat", &["tea", "hot-drinks"], 75_000, 6),
    item("doogh", &["cold-drinks"], 45_000, 4),
    item("nan-barbari", &["bakery", "bread"], 45_000, 10),
    item("nan-sangak", &["bakery", "bread"], 60_000, 8),
    item("koloocheh", &["bakery", "pastry"], 120_000, 6),
    item("zaboon", &["bakery", "pastry"], 90_000, 5),
    by_kg("nan-berenji", &["bakery", "pastry"], 360_000, 4),
    by_kg("nan-nokhodchi", &["bakery", "pastry"], 420_000, 3),
    item("saffron-cake", &["bakery", "cake"], 900_000, 2),
    item("baklava-box", &["bakery", "sweets"], 650_000, 3),
    item("sohan", &["sweets"], 420_000, 2),
    item("shole-zard", &["sweets"], 130_000, 2),
    by_kg("zoolbia-bamieh", &["sweets", "ramadan"], 480_000, 2),
    item("sandwich-olivieh", &["food"], 280_000, 5),
    item("ash-reshteh", &["food"], 220_000, 3),
    item("kuku-sabzi-wrap", &["food"], 240_000, 3),
    item(
        "beans-arabica-250g",
        &["coffee-beans", "retail"],
        850_000,
        2,
    ),
    item(
        "beans-turkish-250g",
        &["coffee-beans", "retail"],
        620_000,
        1,
    ),
    item("cigarettes", &["tobacco"], 300_000, 2),
    item("hookah-tobacco", &["tobacco"], 250_000, 1),
    Product {
        kind: LineKind::GiftCard,
        ..item("gift-card-500k", &["gift_card"], 500_000, 1)
    },
    item("cup-deposit", &["deposit"], 50_000, 2),
];

/// Every category on the menu, for synthetic rules.
pub const CATEGORIES: &[&str] = &[
    "coffee",
    "hot-drinks",
    "tea",
    "cold-drinks",
    "bakery",
    "bread",
    "pastry",
    "cake",
    "sweets",
    "food",
    "coffee-beans",
    "retail",
    "ramadan",
];

/// SKU of the delivery charge on web and app orders that are not picked up.
pub const DELIVERY_SKU: &str = "delivery";

/// Branches and how many regulars call each home. Vanak opens on 2025-06-01.
pub const STORES: &[(&str, u32)] = &[
    ("tajrish", 25),
    ("vanak", 20),
    ("enghelab", 20),
    ("tehranpars", 15),
    ("sadeghieh", 15),
    ("airport-ika", 5),
];

/// Store id of delivered web and app orders.
pub const ONLINE_STORE: &str = "online";

/// Sales channels and how often each is a profile's own.
pub const CHANNELS: &[(&str, u32)] = &[("pos", 55), ("app", 30), ("web", 15)];

/// Payment methods by channel.
pub fn payments(channel: &str) -> &'static [(&'static str, u32)] {
    match channel {
        "pos" => &[("cash", 15), ("card", 60), ("wallet", 25)],
        "app" => &[("card", 45), ("wallet", 55)],
        _ => &[("card", 75), ("wallet", 25)],
    }
}

/// Busy hours of a café (local time), by weight.
pub const HOURS: &[(u32, u32)] = &[
    (7, 4),
    (8, 8),
    (9, 7),
    (10, 5),
    (11, 4),
    (12, 6),
    (13, 7),
    (14, 5),
    (15, 4),
    (16, 5),
    (17, 7),
    (18, 9),
    (19, 9),
    (20, 7),
    (21, 5),
    (22, 3),
];

/// Lines per order, by weight.
pub const LINE_COUNTS: &[(u32, u32)] = &[
    (1, 30),
    (2, 28),
    (3, 18),
    (4, 10),
    (5, 6),
    (6, 4),
    (7, 2),
    (8, 2),
];

/// Units on a line, by weight.
pub const QUANTITIES: &[(u32, u32)] = &[(1, 70), (2, 20), (3, 5), (4, 3), (6, 1), (10, 1)];

/// First names in Persian script with a Latin spelling (for e-mail addresses) and gender.
pub const FIRST_NAMES: &[(&str, &str, &str)] = &[
    ("علی", "ali", "m"),
    ("محمد", "mohammad", "m"),
    ("رضا", "reza", "m"),
    ("حسین", "hossein", "m"),
    ("مهدی", "mehdi", "m"),
    ("امیر", "amir", "m"),
    ("آرش", "arash", "m"),
    ("کیان", "kian", "m"),
    ("بهرام", "bahram", "m"),
    ("کاوه", "kaveh", "m"),
    ("سیاوش", "siavash", "m"),
    ("حمید", "hamid", "m"),
    ("یوسف", "yousef", "m"),
    ("سارا", "sara", "f"),
    ("مریم", "maryam", "f"),
    ("زهرا", "zahra", "f"),
    ("فاطمه", "fatemeh", "f"),
    ("نگار", "negar", "f"),
    ("نرگس", "narges", "f"),
    ("پریسا", "parisa", "f"),
    ("شیرین", "shirin", "f"),
    ("یاسمن", "yasaman", "f"),
    ("لیلا", "leila", "f"),
    ("مینا", "mina", "f"),
    ("ژاله", "zhaleh", "f"),
    ("کیمیا", "kimia", "f"),
];

/// Family names in Persian script with a Latin spelling.
pub const LAST_NAMES: &[(&str, &str)] = &[
    ("محمدی", "mohammadi"),
    ("حسینی", "hosseini"),
    ("احمدی", "ahmadi"),
    ("رضایی", "rezaei"),
    ("کریمی", "karimi"),
    ("موسوی", "mousavi"),
    ("جعفری", "jafari"),
    ("صادقی", "sadeghi"),
    ("کاظمی", "kazemi"),
    ("رحیمی", "rahimi"),
    ("تهرانی", "tehrani"),
    ("شیرازی", "shirazi"),
    ("اصفهانی", "esfahani"),
    ("یزدانی", "yazdani"),
    ("نوری", "nouri"),
    ("کیانی", "kiani"),
    ("فرهادی", "farhadi"),
    ("قاسمی", "ghasemi"),
    ("ملکی", "maleki"),
    ("بهرامی", "bahrami"),
    ("اکبری", "akbari"),
    ("کرمانی", "kermani"),
];

/// Mobile operator prefixes (after the leading 0).
pub const MOBILE_PREFIXES: &[&str] = &[
    "912", "935", "936", "901", "902", "919", "939", "990", "921", "937",
];

/// E-mail domains, by weight.
pub const EMAIL_DOMAINS: &[(&str, u32)] = &[
    ("gmail.com", 60),
    ("yahoo.com", 20),
    ("chmail.ir", 12),
    ("outlook.com", 8),
];

/// Cities, by weight.
pub const CITIES: &[(&str, u32)] = &[
    ("tehran", 80),
    ("karaj", 8),
    ("eslamshahr", 4),
    ("qom", 3),
    ("isfahan", 5),
];

/// Customer segments, by weight (`-` means no segment attribute).
pub const SEGMENTS: &[(&str, u32)] = &[
    ("student", 15),
    ("office", 35),
    ("family", 35),
    ("tourist", 5),
    ("-", 10),
];

/// Surveys customers answer (the `survey` attribute of `survey_answered` events).
pub const SURVEY_IDS: &[&str] = &["s-1404-menu", "s-1404-service", "s-1404-app", "s-1404-nps"];
