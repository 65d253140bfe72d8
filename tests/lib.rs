//! Comparison of OpenAPI documents, shared by the integration tests.
//!
//! [`json_differences`] lists every JSON pointer at which two documents differ;
//! [`upstream`] decides whether our contract means the same as upstream's.

pub mod upstream;

use serde_json::Value;

/// One place where two JSON documents differ.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// RFC 6901 pointer of the differing value.
    pub pointer: String,
    /// The value in the reference document (`None`: absent there).
    pub expected: Option<Value>,
    /// The value in the document checked (`None`: absent there).
    pub actual: Option<Value>,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let show = |v: &Option<Value>| match v {
            Some(v) => v.to_string(),
            None => "(absent)".to_owned(),
        };
        write!(
            f,
            "{}: expected {}, found {}",
            self.pointer,
            show(&self.expected),
            show(&self.actual)
        )
    }
}

/// Every pointer at which `actual` differs from `expected`, deepest first found.
pub fn json_differences(expected: &Value, actual: &Value) -> Vec<Difference> {
    let mut out = Vec::new();
    walk(expected, actual, String::new(), &mut out);
    out
}

fn walk(expected: &Value, actual: &Value, pointer: String, out: &mut Vec<Difference>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (key, ev) in e {
                let child = format!("{pointer}/{}", escape(key));
                match a.get(key) {
                    Some(av) => walk(ev, av, child, out),
                    None => out.push(Difference {
                        pointer: child,
                        expected: Some(ev.clone()),
                        actual: None,
                    }),
                }
            }
            for (key, av) in a {
                if !e.contains_key(key) {
                    let child = format!("{pointer}/{}", escape(key));
                    out.push(Difference {
                        pointer: child,
                        expected: None,
                        actual: Some(av.clone()),
                    });
                }
            }
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (index, (ev, av)) in e.iter().zip(a).enumerate() {
                walk(ev, av, format!("{pointer}/{index}"), out);
            }
        }
        _ if expected == actual => {}
        _ => out.push(Difference {
            pointer,
            expected: Some(expected.clone()),
            actual: Some(actual.clone()),
        }),
    }
}

/// Escapes one pointer segment (RFC 6901).
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// A report of differences, one a line, for a failing test's message.
pub fn report(differences: &[Difference]) -> String {
    differences.iter().map(|d| format!("  {d}\n")).collect()
}
