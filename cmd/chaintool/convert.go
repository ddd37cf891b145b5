package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

// convertCommand is not written yet.
func convertCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "convert",
		Usage: "(not implemented yet)",
		Action: func(c *cli.Context) error {
			return errors.New("convert: not implemented yet")
		},
	}
}
