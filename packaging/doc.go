// Package packaging holds no code: its tests check what ships Tributary
// outside the Go toolchain, the Dockerfile at the repository root, the
// systemd unit in packaging/systemd, and the LICENSE and NOTICE files.
package packaging
