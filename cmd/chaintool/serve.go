package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

// serveCommand is not written yet.
func serveCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "serve",
		Usage: "(not implemented yet)",
		Action: func(c *cli.Context) error {
			return errors.New("serve: not implemented yet")
		},
	}
}
