//! Compiles the protocol definitions in `proto/` into a tfplugin6 client for the
//! protocol tests. Only `tests/` includes the result: the provider itself serves the
//! protocol through the `tf-provider` crate and never sees this code.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto");
    tonic_build::configure()
        .build_server(false)
        .build_client(true)
        .compile_protos(
            &[
                "proto/tfplugin6.proto",
                "proto/plugin.proto",
                "proto/unreleased.proto",
            ],
            &["proto"],
        )?;
    Ok(())
}
