package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

// verifyCommand is not written yet.
func verifyCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "verify",
		Usage: "(not implemented yet)",
		Action: func(c *cli.Context) error {
			return errors.New("verify: not implemented yet")
		},
	}
}
