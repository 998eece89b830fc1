.env("@MARKER@", std::env::var("@MARKER@").map_or(0u32, |d| d.parse().unwrap_or(u32::MAX)).saturating_add(1).to_string())
