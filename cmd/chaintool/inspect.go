package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

// inspectCommand is not written yet.
func inspectCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "inspect",
		Usage: "(not implemented yet)",
		Action: func(c *cli.Context) error {
			return errors.New("inspect: not implemented yet")
		},
	}
}
