package main

import (
	"fmt"
	"io"
)

func cmdCheck(confPath string, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("check", "check [--config FILE]", &confPath, stderr)
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
	fmt.Fprintf(stdout, "%s: ok (%d sources, %d feeds)\n", confPath, len(cfg.Sources), len(cfg.Feeds))
	return nil
}
