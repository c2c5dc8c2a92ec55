//! Terraform values as they travel in `DynamicValue`: msgpack objects, sets as arrays,
//! and unknown values as msgpack extensions.

use std::collections::BTreeSet;

pub use rmpv::Value;

use super::tfplugin6::DynamicValue;

/// Extension type Terraform uses for a plain unknown value.
const UNKNOWN_EXT: i8 = 0;
/// Extension type newer Terraform (1.6 onwards) uses for an unknown value that carries
/// refinements, such as "will not be null".
const REFINED_UNKNOWN_EXT: i8 = 12;
/// Refinement key saying whether the value may still turn out null.
const REFINEMENT_NULLNESS: i64 = 1;

/// A known string.
pub fn string(text: &str) -> Value {
    Value::from(text)
}

/// A known bool.
pub fn boolean(value: bool) -> Value {
    Value::from(value)
}

/// A known number.
pub fn number(value: i64) -> Value {
    Value::from(value)
}

/// A null of any type.
pub fn null() -> Value {
    Value::Nil
}

/// An unknown value, encoded the way Terraform encodes it (one zero byte of payload).
pub fn unknown() -> Value {
    Value::Ext(UNKNOWN_EXT, vec![0])
}

/// An unknown value refined as "will not be null", as Terraform 1.6 and later send it.
pub fn refined_unknown() -> Value {
    let refinements = Value::Map(vec![(Value::from(REFINEMENT_NULLNESS), Value::from(true))]);
    let mut payload = Vec::new();
    rmpv::encode::write_value(&mut payload, &refinements).expect("encode refinements");
    Value::Ext(REFINED_UNKNOWN_EXT, payload)
}

/// Whether `value` is unknown, refined or not.
pub fn is_unknown(value: &Value) -> bool {
    matches!(value, Value::Ext(UNKNOWN_EXT | REFINED_UNKNOWN_EXT, _))
}

/// A set (or list) of the given elements; msgpack has no separate set type.
pub fn set(elements: impl IntoIterator<Item = Value>) -> Value {
    Value::Array(elements.into_iter().collect())
}

/// A set of known strings.
pub fn strings(elements: &[&str]) -> Value {
    set(elements.iter().map(|element| string(element)))
}

/// An object from attribute names and values.
pub fn object<'a>(attributes: impl IntoIterator<Item = (&'a str, Value)>) -> Value {
    let mut pairs: Vec<(Value, Value)> = attributes
        .into_iter()
        .map(|(name, value)| (Value::from(name), value))
        .collect();
    // Terraform writes object attributes in name order; do the same.
    pairs.sort_by(|a, b| a.0.as_str().cmp(&b.0.as_str()));
    Value::Map(pairs)
}

/// The attribute `name` of `object`; panics with the object if it has none.
pub fn get<'a>(object: &'a Value, name: &str) -> &'a Value {
    try_get(object, name).unwrap_or_else(|| panic!("no attribute `{name}` in {object}"))
}

/// The attribute `name` of `object`, if it is an object with that attribute.
pub fn try_get<'a>(object: &'a Value, name: &str) -> Option<&'a Value> {
    object
        .as_map()?
        .iter()
        .find(|(key, _)| key.as_str() == Some(name))
        .map(|(_, value)| value)
}

/// A copy of `object` with attribute `name` set to `value` (added if missing).
pub fn with(object: &Value, name: &str, value: Value) -> Value {
    let mut pairs = object.as_map().cloned().unwrap_or_default();
    match pairs.iter_mut().find(|(key, _)| key.as_str() == Some(name)) {
        Some(pair) => pair.1 = value,
        None => {
            pairs.push((Value::from(name), value));
            pairs.sort_by(|a, b| a.0.as_str().cmp(&b.0.as_str()));
        }
    }
    Value::Map(pairs)
}

/// The string of a known string value; panics otherwise.
pub fn as_str(value: &Value) -> &str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("expected a known string, got {value}"))
}

/// The members of a known set of known strings; panics otherwise.
pub fn string_set(value: &Value) -> BTreeSet<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("expected a known set, got {value}"))
        .iter()
        .map(|member| as_str(member).to_string())
        .collect()
}

/// `value` as a msgpack `DynamicValue`.
pub fn dynamic(value: &Value) -> DynamicValue {
    let mut msgpack = Vec::new();
    rmpv::encode::write_value(&mut msgpack, value).expect("encode msgpack");
    DynamicValue {
        msgpack,
        json: Vec::new(),
    }
}

/// A `DynamicValue` holding raw msgpack bytes, well-formed or not.
pub fn raw_msgpack(bytes: &[u8]) -> DynamicValue {
    DynamicValue {
        msgpack: bytes.to_vec(),
        json: Vec::new(),
    }
}

/// The value in a `DynamicValue`, whichever encoding the provider chose; an absent or
/// empty one is null.
pub fn decode(dynamic: Option<&DynamicValue>) -> Value {
    let Some(dynamic) = dynamic else {
        return Value::Nil;
    };
    if !dynamic.msgpack.is_empty() {
        let mut bytes = dynamic.msgpack.as_slice();
        return rmpv::decode::read_value(&mut bytes).expect("the provider sent valid msgpack");
    }
    if !dynamic.json.is_empty() {
        let json: serde_json::Value =
            serde_json::from_slice(&dynamic.json).expect("the provider sent valid JSON");
        return from_json(&json);
    }
    Value::Nil
}

/// A JSON document (state as Terraform stores it) as a value.
pub fn from_json(json: &serde_json::Value) -> Value {
    match json {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::from(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::from(i),
            None => Value::from(n.as_f64().unwrap_or_default()),
        },
        serde_json::Value::String(s) => Value::from(s.as_str()),
        serde_json::Value::Array(items) => Value::Array(items.iter().map(from_json).collect()),
        serde_json::Value::Object(map) => object(
            map.iter()
                .map(|(name, value)| (name.as_str(), from_json(value))),
        ),
    }
}

/// A known value as JSON, the form Terraform keeps in its state file; panics on unknowns.
pub fn to_json(value: &Value) -> serde_json::Value {
    match value {
        Value::Nil => serde_json::Value::Null,
        Value::Boolean(b) => serde_json::Value::Bool(*b),
        Value::Integer(i) => serde_json::json!(i.as_i64()),
        Value::F64(f) => serde_json::json!(f),
        Value::String(s) => serde_json::Value::from(s.as_str().unwrap_or_default()),
        Value::Array(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
        Value::Map(pairs) => serde_json::Value::Object(
            pairs
                .iter()
                .map(|(key, value)| (key.as_str().unwrap_or_default().to_string(), to_json(value)))
                .collect(),
        ),
        other => panic!("{other} has no JSON form in a state file"),
    }
}

/// `value` with every array sorted and every unknown plain, recursively, so that two
/// encodings of the same value compare equal.
pub fn canonical(value: &Value) -> Value {
    match value {
        unknown_value if is_unknown(unknown_value) => unknown(),
        Value::Array(items) => {
            let mut items: Vec<Value> = items.iter().map(canonical).collect();
            items.sort_by_key(|item| item.to_string());
            Value::Array(items)
        }
        Value::Map(pairs) => {
            let mut pairs: Vec<(Value, Value)> = pairs
                .iter()
                .map(|(key, value)| (key.clone(), canonical(value)))
                .collect();
            pairs.sort_by_key(|(key, _)| key.to_string());
            Value::Map(pairs)
        }
        other => other.clone(),
    }
}
