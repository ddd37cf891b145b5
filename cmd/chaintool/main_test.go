package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chaintool/chaintool/internal/testpki"
	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	// The CLI judges dates by the real clock unless --at is given, so the
	// chains scripts make are dated from today rather than testpki's fixed
	// day. Package tests elsewhere keep the fixed clock.
	testpki.Now = time.Now().UTC().Truncate(time.Hour)
	testscript.Main(m, map[string]func(){
		"chaintool": func() { os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScript runs every testdata/script/*.txtar file against the real main.
// Scripts see $FIXTURES (the repository's testdata folder) and $REALWORLD
// (../shared/realworld when present), and can call `pki RECIPE` to make
// chains in $WORK. Scripts that need a tool start with `[!tool:openssl] skip`;
// .ci/run installs every tool so that CI never skips.
func TestScript(t *testing.T) {
	fixtures, _ := filepath.Abs("../../testdata")
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("FIXTURES", fixtures)
			env.Setenv("REALWORLD", testpki.RealWorldDir())
			return nil
		},
		Cmds:                map[string]func(ts *testscript.TestScript, neg bool, args []string){"pki": cmdPKI},
		Condition:           scriptCondition,
		RequireExplicitExec: true,
	})
}
