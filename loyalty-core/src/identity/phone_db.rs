//! A private copy of the phone metadata for each batch worker.
//!
//! The phonenumber crate keeps the compiled patterns of its default metadata
//! in one cache behind one mutex, held while a pattern runs, so two threads
//! parsing phones take turns: a million-profile batch got no faster on two
//! cores. A [`Database`] built from the same metadata has its own cache, so
//! each worker of [`super::batch`] borrows one from a small pool and parses
//! without waiting. The copy is rebuilt from the default database's own
//! values (patterns, lengths, formats, regions of each calling code in their
//! order), so it answers exactly as the default does; a test holds it to
//! that on every example number of the metadata.

use std::sync::Mutex;

use phonenumber::metadata::{DATABASE, Database, Descriptor, Format, Metadata, loader};

/// Copies kept for the next batch; more workers than this build their own.
const POOL: usize = 8;

static SPARE: Mutex<Vec<Database>> = Mutex::new(Vec::new());

/// A copy of the phone metadata for one worker: from the pool, or built
/// (a few milliseconds) when the pool is empty. `None` if building failed,
/// and the caller uses the shared default.
pub(crate) fn take() -> Option<Database> {
    // The browser runs batches on one thread: nothing to wait for.
    if cfg!(target_arch = "wasm32") {
        return None;
    }
    let spare = SPARE.lock().ok().and_then(|mut pool| pool.pop());
    spare.or_else(copy_of_default)
}

/// Gives a copy back for the next batch.
pub(crate) fn give_back(db: Database) {
    if let Ok(mut pool) = SPARE.lock()
        && pool.len() < POOL
    {
        pool.push(db);
    }
}

fn descriptor(d: &Descriptor) -> loader::Descriptor {
    loader::Descriptor {
        national_number: Some(d.national_number().as_str().to_owned()),
        possible_length: d.possible_length().to_vec(),
        possible_local_length: d.possible_local_length().to_vec(),
        example: d.example().map(str::to_owned),
    }
}

fn format(f: &Format) -> loader::Format {
    loader::Format {
        pattern: Some(f.pattern().as_str().to_owned()),
        format: Some(f.format().to_owned()),
        leading_digits: f
            .leading_digits()
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
        national_prefix_formatting_rule: f.national_prefix().map(str::to_owned),
        national_prefix_optional_when_formatting: f.is_national_prefix_optional(),
        domestic_carrier: f.domestic_carrier().map(str::to_owned),
    }
}

fn metadata(m: &Metadata) -> loader::Metadata {
    let d = m.descriptors();
    let opt = |x: Option<&Descriptor>| x.map(descriptor);
    loader::Metadata {
        general: Some(descriptor(d.general())),
        fixed_line: opt(d.fixed_line()),
        mobile: opt(d.mobile()),
        toll_free: opt(d.toll_free()),
        premium_rate: opt(d.premium_rate()),
        shared_cost: opt(d.shared_cost()),
        personal_number: opt(d.personal_number()),
        voip: opt(d.voip()),
        pager: opt(d.pager()),
        uan: opt(d.uan()),
        emergency: opt(d.emergency()),
        voicemail: opt(d.voicemail()),
        short_code: opt(d.short_code()),
        standard_rate: opt(d.standard_rate()),
        carrier: opt(d.carrier()),
        no_international: opt(d.no_international()),
        id: Some(m.id().to_owned()),
        country_code: Some(m.country_code()),
        international_prefix: m.international_prefix().map(|r| r.as_str().to_owned()),
        preferred_international_prefix: m.preferred_international_prefix().map(str::to_owned),
        national_prefix: m.national_prefix().map(str::to_owned),
        preferred_extension_prefix: m.preferred_extension_prefix().map(str::to_owned),
        national_prefix_for_parsing: m
            .national_prefix_for_parsing()
            .map(|r| r.as_str().to_owned()),
        national_prefix_transform_rule: m.national_prefix_transform_rule().map(str::to_owned),
        formats: m.formats().iter().map(format).collect(),
        international_formats: m.international_formats().iter().map(format).collect(),
        main_country_for_code: m.is_main_country_for_code(),
        leading_digits: m.leading_digits().map(|r| r.as_str().to_owned()),
        mobile_number_portable: m.is_mobile_number_portable(),
        defaults: loader::Defaults::default(),
    }
}

/// The default database's metadata, calling code by calling code with the
/// regions of each code in the default's order (the main region first), so
/// the copy picks the same region for a number as the default does.
fn copy_of_default() -> Option<Database> {
    let mut codes: Vec<u16> = DATABASE.iter().map(Metadata::country_code).collect();
    codes.sort_unstable();
    codes.dedup();
    let meta: Vec<loader::Metadata> = codes
        .iter()
        .filter_map(|c| DATABASE.by_code(c))
        .flatten()
        .map(metadata)
        .collect();
    Database::from(meta).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use phonenumber::{Mode, country};

    use super::*;

    /// Every example number of every region and type, read in its region
    /// (with and without the national prefix) and internationally: the copy and the default agree on whether it
    /// parses, whether it is valid, its E.164 form and its region.
    #[test]
    fn the_copy_answers_as_the_default_does() {
        let copy = copy_of_default().unwrap();
        let mut checked = 0usize;
        for m in DATABASE.iter() {
            let d = m.descriptors();
            let examples = [
                Some(d.general()),
                d.fixed_line(),
                d.mobile(),
                d.toll_free(),
                d.premium_rate(),
                d.voip(),
                d.uan(),
            ];
            for example in examples
                .into_iter()
                .flatten()
                .filter_map(Descriptor::example)
            {
                let id = m.id().parse::<country::Id>().ok();
                for text in [
                    example.to_owned(),
                    format!("+{}{example}", m.country_code()),
                ] {
                    let ours = phonenumber::parse_with(&copy, id, &text);
                    let theirs = phonenumber::parse(id, &text);
                    assert_eq!(ours.is_ok(), theirs.is_ok(), "{text} in {}", m.id());
                    let (Ok(ours), Ok(theirs)) = (ours, theirs) else {
                        continue;
                    };
                    assert_eq!(
                        phonenumber::is_valid_with(&copy, &ours),
                        theirs.is_valid(),
                        "{text} in {}",
                        m.id()
                    );
                    assert_eq!(
                        phonenumber::format_with(&copy, &ours)
                            .mode(Mode::E164)
                            .to_string(),
                        theirs.format().mode(Mode::E164).to_string()
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 1000, "only {checked} examples");
    }

    #[test]
    fn copies_go_back_to_the_pool() {
        let db = take().unwrap();
        give_back(db);
        assert!(!SPARE.lock().unwrap().is_empty());
    }
}
