//! Reading schemas the provider announced, and building values shaped by them the way
//! Terraform does before it calls the provider.

use super::tfplugin6::schema::nested_block::NestingMode;
pub use super::tfplugin6::schema::{Attribute, Block, NestedBlock};
use super::value::{object, try_get, Value};

/// The attribute `name` of `block`; panics listing the attributes there are.
pub fn attribute<'a>(block: &'a Block, name: &str) -> &'a Attribute {
    block
        .attributes
        .iter()
        .find(|attribute| attribute.name == name)
        .unwrap_or_else(|| {
            let names: Vec<&str> = block.attributes.iter().map(|a| a.name.as_str()).collect();
            panic!("the schema has no attribute `{name}`; it has {names:?}")
        })
}

/// The nested block `name` of `block`, if the schema has one.
pub fn nested_block<'a>(block: &'a Block, name: &str) -> Option<&'a NestedBlock> {
    block
        .block_types
        .iter()
        .find(|nested| nested.type_name == name)
}

/// The attribute's type as the JSON Terraform uses for types (`"string"`,
/// `["set","string"]`, ...).
pub fn type_of(attribute: &Attribute) -> serde_json::Value {
    serde_json::from_slice(&attribute.r#type).unwrap_or_else(|error| {
        panic!(
            "attribute `{}` has an unreadable type: {error}",
            attribute.name
        )
    })
}

/// The value Terraform sends for a block in which nothing is written: every attribute
/// null, and each nested block absent in the way its nesting mode spells "absent".
pub fn empty_object(block: &Block) -> Value {
    let attributes = block
        .attributes
        .iter()
        .map(|attribute| (attribute.name.as_str(), Value::Nil));
    let blocks = block.block_types.iter().map(|nested| {
        let absent = match nested.nesting() {
            NestingMode::List | NestingMode::Set => Value::Array(Vec::new()),
            NestingMode::Map => Value::Map(Vec::new()),
            NestingMode::Group => nested
                .block
                .as_ref()
                .map(empty_object)
                .unwrap_or(Value::Nil),
            NestingMode::Single | NestingMode::Invalid => Value::Nil,
        };
        (nested.type_name.as_str(), absent)
    });
    object(attributes.chain(blocks))
}

/// A configuration for `block` with the given attributes set and everything else
/// absent; panics on a name the schema does not have.
pub fn config(block: &Block, set: &[(&str, Value)]) -> Value {
    let mut value = empty_object(block);
    for (name, attribute_value) in set {
        let known =
            block.attributes.iter().any(|a| a.name == *name) || nested_block(block, name).is_some();
        assert!(known, "the schema has no attribute or block `{name}`");
        value = super::value::with(&value, name, attribute_value.clone());
    }
    value
}

/// The proposed new state Terraform computes from the prior state and the
/// configuration: configured values win, and a computed attribute left out of the
/// configuration keeps its prior value.
pub fn proposed_new(block: &Block, prior: &Value, config: &Value) -> Value {
    if prior.is_nil() {
        return config.clone();
    }
    let mut proposed = config.clone();
    for attribute in &block.attributes {
        let configured = try_get(config, &attribute.name).unwrap_or(&Value::Nil);
        if attribute.computed && configured.is_nil() {
            let kept = try_get(prior, &attribute.name)
                .cloned()
                .unwrap_or(Value::Nil);
            proposed = super::value::with(&proposed, &attribute.name, kept);
        }
    }
    proposed
}
