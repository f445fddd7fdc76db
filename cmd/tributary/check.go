package main

import (
	"fmt"
	"io"
)

// cmdCheck validates the configuration: problems exit 2, warnings (see
// config.Warnings) are printed and exit 0.
func cmdCheck(confPath string, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("check", "check [--config FILE]", &confPath, stdout, stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("check takes no arguments")
	}
	cfg, err := loadConfig(confPath)
	if err != nil {
		return err
	}
	// Warnings refuse nothing: on stderr like problems, exit 0.
	ws := cfg.Warnings()
	for _, w := range ws {
		fmt.Fprintln(stderr, "warning:", w)
	}
	switch len(ws) {
	case 0:
		fmt.Fprintf(stdout, "%s: ok (%d sources, %d feeds)\n", confPath, len(cfg.Sources), len(cfg.Feeds))
	case 1:
		fmt.Fprintf(stdout, "%s: ok (%d sources, %d feeds), 1 warning\n", confPath, len(cfg.Sources), len(cfg.Feeds))
	default:
		fmt.Fprintf(stdout, "%s: ok (%d sources, %d feeds), %d warnings\n", confPath, len(cfg.Sources), len(cfg.Feeds), len(ws))
	}
	return nil
}
