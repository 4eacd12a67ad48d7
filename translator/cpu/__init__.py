"""The guest CPU model (libvirt's src/cpu driver and qemuProcessUpdateGuestCPU)."""
