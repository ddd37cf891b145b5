package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

// gradeCommand is not written yet.
func gradeCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "grade",
		Usage: "(not implemented yet)",
		Action: func(c *cli.Context) error {
			return errors.New("grade: not implemented yet")
		},
	}
}
