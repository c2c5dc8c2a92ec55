//! The provider binary driven over Terraform's plugin protocol directly: what newer
//! Terraform and OpenTofu send, and edge cases the CLI reaches slowly or not at all.

// Only the helpers this suite uses, so that it builds and runs on its own.
#[path = "support"]
#[allow(dead_code, unused_imports)]
mod support {
    pub mod emulator;
    pub mod plugin;
}

mod protocol {
    mod fixture;
    mod garbage;
    mod launch;
    mod lifecycle;
    mod newer;
    mod schema;
    mod stop;
    mod unknowns;
}
