//! The provider plugin binary. Terraform starts it; all logic lives in the library.

fn main() {}
