//! Runs the real Terraform CLI against the built provider in a temporary directory.
