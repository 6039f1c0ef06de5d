//! Writes the criterion benchmark's inputs as JSON, so the Python and
//! JavaScript benchmarks quote exactly the same program and orders:
//! `cargo run --release -p loyalty-benches --example export_bench_data -- DIR`
//! writes `DIR/program.json`, `DIR/requests-10.json` and `DIR/requests-200.json`.

use std::path::Path;

fn write(dir: &Path, name: &str, value: &impl serde::Serialize) -> Result<(), String> {
    let text = serde_json::to_string(value).map_err(|e| e.to_string())?;
    std::fs::write(dir.join(name), text).map_err(|e| format!("{name}: {e}"))
}

fn run(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let (program, requests) = loyalty_benches::setup(10, 64)?;
    std::fs::write(dir.join("program.json"), program.to_json()).map_err(|e| e.to_string())?;
    write(dir, "requests-10.json", &requests)?;
    let (_, requests) = loyalty_benches::setup(200, 16)?;
    write(dir, "requests-200.json", &requests)
}

fn main() -> std::process::ExitCode {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: export_bench_data DIR");
        return std::process::ExitCode::FAILURE;
    };
    match run(Path::new(&dir)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            std::process::ExitCode::FAILURE
        }
    }
}
