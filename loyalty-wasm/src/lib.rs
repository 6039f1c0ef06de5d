//! WebAssembly bindings (placeholder until the binding lands).
