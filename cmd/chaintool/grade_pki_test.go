package main

import (
	"net"
	"os"
	"path/filepath"
)

func init() { pkiRecipes["grade-server"] = recipeGradeServer }

// recipeGradeServer starts, inside the test process, an HTTPS server set
// up for an A+ (TLS 1.2 and 1.3, ECDHE with AEAD, P-256 chain, two-year
// HSTS) on a free loopback port, and writes root.pem and targets.txt (its
// address, then a closed port when the argument "down" is given). The
// server lives as long as the test process: scripts cannot stop it, and
// every script gets its own.
func recipeGradeServer(dir string, args []string) error {
	_, addr, root, err := startHTTPSServer("Grade Script", aPlusConfig(), "max-age=63072000; includeSubDomains")
	if err != nil {
		return err
	}
	targets := addr + "\n"
	if len(args) > 0 && args[0] == "down" {
		closed, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		targets += closed.Addr().String() + "\n"
		closed.Close()
	}
	if err := os.WriteFile(filepath.Join(dir, "targets.txt"), []byte(targets), 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "root.pem"), root.PEM(), 0o600)
}
