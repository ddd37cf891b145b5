package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

// bundleCommand is not written yet.
func bundleCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "bundle",
		Usage: "(not implemented yet)",
		Action: func(c *cli.Context) error {
			return errors.New("bundle: not implemented yet")
		},
	}
}
