//! Helpers shared by the integration tests: the emulator, the Terraform CLI, and a
//! tfplugin6 client that speaks to the provider binary directly.
#![allow(dead_code)]

pub mod client;
pub mod emulator;
pub mod emulator_fixture;
pub mod plugin;
pub mod terraform;
