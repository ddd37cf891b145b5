package main

import (
	"time"

	"github.com/urfave/cli/v2"
)

// Flags several commands share, defined once so that their help reads the
// same everywhere.

func rootsFlag() cli.Flag {
	return &cli.StringSliceFlag{Name: "roots", Usage: "trust anchors: system, mozilla or a `FILE` of certificates; repeat for several (default: system and mozilla)"}
}

func forceFlag() cli.Flag {
	return &cli.BoolFlag{Name: "force", Usage: "overwrite existing output files"}
}

// parseAt reads an --at value: an RFC 3339 time.
func parseAt(s string) (time.Time, error) {
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, usageError("--at %q: want an RFC 3339 time such as 2026-03-01T12:00:00Z", s)
	}
	return at, nil
}
