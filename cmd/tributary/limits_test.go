package main

import (
	"testing"

	"github.com/tributary/tributary/internal/config"
	"github.com/tributary/tributary/sources"
)

// config may not import sources (only cmd wires packages together), so the
// ceiling it enforces on fetch.max_body_size is a copy: it must be the most
// sources.Fetch ever reads, or a larger key would be cut silently.
func TestBodySizeCeilingMatchesWhatSourcesRead(t *testing.T) {
	if config.MaxBodySizeCeiling != sources.MaxBodyBytes {
		t.Fatalf("config.MaxBodySizeCeiling = %d, sources.MaxBodyBytes = %d", config.MaxBodySizeCeiling, sources.MaxBodyBytes)
	}
}
