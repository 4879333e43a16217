"""The LINE face of Yorisoi: webhook, routing, rendering, CLI and a local LINE emulator."""
