//! URL queries: the parameters a widget reads, how a raw value is checked, and how one
//! page URL holds the settings of several widgets (each under its own `id.` prefix).
//!
//! Every rule here is pure, so the property tests can throw hostile URLs at it natively.

use serde::{Deserialize, Serialize};

/// Query pairs, decoded, in URL order (a key may repeat; the last one wins).
pub type Pairs = Vec<(String, String)>;

/// One tunable number: its URL key, bounds and default.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Param {
    /// URL key.
    pub key: &'static str,
    /// Smallest accepted value.
    pub min: f64,
    /// Largest accepted value.
    pub max: f64,
    /// Used when the URL has none (or nonsense).
    pub default: f64,
    /// Whether only whole numbers make sense (a count, a seed).
    pub whole: bool,
    /// One line for people: what it means.
    pub doc: &'static str,
}

/// Something a URL asked for that was changed, in words for the reader. Notices about one
/// value start with `key=`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice(pub String);

impl Param {
    /// A whole-number parameter.
    pub const fn whole(key: &'static str, min: f64, max: f64, default: f64, doc: &'static str) -> Param {
        Param { key, min, max, default, whole: true, doc }
    }

    /// A parameter that takes fractions (a duration in ms).
    pub const fn real(key: &'static str, min: f64, max: f64, default: f64, doc: &'static str) -> Param {
        Param { key, min, max, default, whole: false, doc }
    }

    /// Reads this parameter from a raw URL value: the default when missing, the default
    /// with a notice when not a number, rounded and clamped with a notice when it must be.
    pub fn read(&self, raw: Option<&str>, notices: &mut Vec<Notice>) -> f64 {
        let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
            return self.default;
        };
        let shown = shorten(raw);
        match raw.parse::<f64>() {
            Ok(v) if v.is_finite() => {
                let c = v.clamp(self.min, self.max);
                let c = if self.whole { c.round() } else { c };
                if c != v {
                    let why = if v < self.min || v > self.max {
                        format!("is out of range {}..{}", number(self.min), number(self.max))
                    } else {
                        "is not a whole number".to_string()
                    };
                    notices.push(Notice(format!("{}={shown} {why}: using {}", self.key, number(c))));
                }
                c
            }
            _ => {
                notices
                    .push(Notice(format!("{}={shown:?} is not a number: using {}", self.key, self.default)));
                self.default
            }
        }
    }

    /// The accepted values, for people: `1–64`.
    pub fn range_text(&self) -> String {
        format!("{}–{}", number(self.min), number(self.max))
    }
}

/// A number as URLs and notices write it: plain (`1500`, `2.5`) unless that is long, then
/// in exponent form (`1e-308`); both read back as exactly the same `f64`.
pub fn number(v: f64) -> String {
    let plain = v.to_string();
    if plain.len() <= 20 {
        plain
    } else {
        format!("{v:e}")
    }
}

/// At most 40 characters of a raw value, for a notice (a hostile URL may be megabytes).
pub fn shorten(raw: &str) -> String {
    match raw.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &raw[..i]),
        None => raw.to_string(),
    }
}

/// The value for `key` in query pairs (the last one wins, as in `URLSearchParams.get`'s
/// most common reading by hand-written code; repeated keys are how an edited link
/// overrides an old value).
pub fn find<'a>(query: &'a [(String, String)], key: &str) -> Option<&'a str> {
    query.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// Decodes a URL's query (`?a=1&b=%20x`, the `?` optional) into pairs.
pub fn parse(search: &str) -> Pairs {
    let search = search.strip_prefix('?').unwrap_or(search);
    form_urlencoded::parse(search.as_bytes()).into_owned().collect()
}

/// Encodes pairs as a query without the `?`.
pub fn encode(pairs: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

/// The pairs of one widget in a page URL: those keyed `id.key`, without the prefix.
pub fn scope(query: &[(String, String)], id: &str) -> Pairs {
    query
        .iter()
        .filter_map(|(k, v)| {
            let key = k.strip_prefix(id)?.strip_prefix('.')?;
            Some((key.to_string(), v.clone()))
        })
        .collect()
}

/// `query` with widget `id`'s pairs replaced by `pairs` (prefixed), where the old ones
/// were (or at the end); every other pair is kept, in order.
pub fn replace_scope(query: &[(String, String)], id: &str, pairs: &[(String, String)]) -> Pairs {
    let mine = |k: &str| k.strip_prefix(id).is_some_and(|rest| rest.starts_with('.'));
    let at = query.iter().position(|(k, _)| mine(k)).unwrap_or(query.len());
    let mut out: Pairs = query[..at].iter().filter(|(k, _)| !mine(k)).cloned().collect();
    out.extend(pairs.iter().map(|(k, v)| (format!("{id}.{k}"), v.clone())));
    out.extend(query[at..].iter().filter(|(k, _)| !mine(k)).cloned());
    out
}

/// Pairs from string slices, for tests and fixed queries.
pub fn pairs(list: &[(&str, &str)]) -> Pairs {
    list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_clamps_rounds_and_tells() {
        let p = Param::whole("tasks", 1.0, 64.0, 16.0, "");
        let mut n = Vec::new();
        assert_eq!(p.read(None, &mut n), 16.0);
        assert_eq!(p.read(Some(" "), &mut n), 16.0);
        assert!(n.is_empty());
        assert_eq!(p.read(Some("8"), &mut n), 8.0);
        assert_eq!(p.read(Some("2.6"), &mut n), 3.0);
        assert_eq!(p.read(Some("1e9"), &mut n), 64.0);
        assert_eq!(p.read(Some("NaN"), &mut n), 16.0);
        let text: Vec<&str> = n.iter().map(|n| n.0.as_str()).collect();
        assert_eq!(
            text,
            [
                "tasks=2.6 is not a whole number: using 3",
                "tasks=1e9 is out of range 1..64: using 64",
                "tasks=\"NaN\" is not a number: using 16"
            ]
        );
        let long = "9".repeat(10_000);
        p.read(Some(&long), &mut n);
        assert!(n.last().unwrap().0.len() < 120, "a huge value is shortened in the notice");
    }

    #[test]
    fn numbers_stay_short_and_exact() {
        for v in [0.0, 1500.0, 2.5, 1e-308, 1e300, 4_294_967_295.0, 0.1 + 0.2, f64::MIN_POSITIVE] {
            let text = number(v);
            assert!(text.len() <= 24, "{text}");
            assert_eq!(text.parse::<f64>(), Ok(v));
        }
        assert_eq!(number(1500.0), "1500");
    }

    #[test]
    fn scopes_share_one_url() {
        let q = parse("?fib.tasks=8&theme=dark&fetch.tasks=9&fib.n=30&fibx.n=1");
        assert_eq!(scope(&q, "fib"), pairs(&[("tasks", "8"), ("n", "30")]));
        let q2 = replace_scope(&q, "fib", &pairs(&[("n", "31")]));
        assert_eq!(encode(&q2), "fib.n=31&theme=dark&fetch.tasks=9&fibx.n=1", "in the old place");
        let q3 = replace_scope(&q2, "sandbox", &pairs(&[("side", "4")]));
        assert_eq!(scope(&q3, "sandbox"), pairs(&[("side", "4")]));
        assert_eq!(scope(&q3, "fib"), pairs(&[("n", "31")]));
    }

    #[test]
    fn parse_and_encode_are_inverses() {
        let q = pairs(&[("a b", "c&d=e"), ("π", "%41"), ("", "")]);
        assert_eq!(parse(&encode(&q)), q);
        assert_eq!(parse("x=%41+b"), pairs(&[("x", "A b")]));
    }
}
