package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/chaintool/chaintool/internal/testpki"
	"github.com/rogpeppe/go-internal/testscript"
)

// A pkiRecipe writes the files of one test PKI into dir. args are what
// follows the recipe name on the script line.
type pkiRecipe func(dir string, args []string) error

// pkiRecipes holds every recipe scripts can call as `pki NAME [ARGS]`.
// Test files add their own in init functions.
var pkiRecipes = map[string]pkiRecipe{
	"chain": recipeChain,
}

// cmdPKI is the testscript command `pki RECIPE [ARGS...]`.
func cmdPKI(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("pki does not support !")
	}
	if len(args) == 0 {
		ts.Fatalf("usage: pki RECIPE [ARGS]; recipes: %s", recipeNames())
	}
	r, ok := pkiRecipes[args[0]]
	if !ok {
		ts.Fatalf("unknown pki recipe %q; recipes: %s", args[0], recipeNames())
	}
	ts.Check(r(ts.MkAbs("."), args[1:]))
}

func recipeNames() string {
	var names []string
	for n := range pkiRecipes {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// recipeChain writes a root -> intermediate -> leaf chain for localhost,
// 127.0.0.1 and ::1: root.pem root.key inter.pem inter.key leaf.pem
// leaf.key chain.pem (leaf, inter) full.pem (leaf, inter, root) and
// server.pem (leaf, inter, key). Args: the key type of every certificate
// (ecdsa, ecdsa384, rsa2048, rsa1024, ed25519; default ecdsa).
func recipeChain(dir string, args []string) error {
	kt := testpki.ECDSAP256
	if len(args) > 0 {
		var err error
		if kt, err = parseKeyType(args[0]); err != nil {
			return err
		}
	}
	root := testpki.NewRoot("Test Root", testpki.Key(kt))
	inter := root.NewIntermediate("Test Intermediate", testpki.Key(kt))
	leaf := inter.NewLeaf("localhost", testpki.Key(kt),
		testpki.DNS("localhost"), testpki.IP("127.0.0.1", "::1"))
	return writePKIFiles(dir, map[string][]byte{
		"root.pem":   root.PEM(),
		"root.key":   root.KeyPEM(),
		"inter.pem":  inter.PEM(),
		"inter.key":  inter.KeyPEM(),
		"leaf.pem":   leaf.PEM(),
		"leaf.key":   leaf.KeyPEM(),
		"chain.pem":  testpki.ChainPEM(leaf, inter),
		"full.pem":   testpki.ChainPEM(leaf, inter, root),
		"server.pem": append(testpki.ChainPEM(leaf, inter), leaf.KeyPEM()...),
	})
}

func parseKeyType(s string) (testpki.KeyType, error) {
	switch s {
	case "ecdsa", "p256":
		return testpki.ECDSAP256, nil
	case "ecdsa384", "p384":
		return testpki.ECDSAP384, nil
	case "rsa", "rsa2048":
		return testpki.RSA2048, nil
	case "rsa1024":
		return testpki.RSA1024, nil
	case "rsa4096":
		return testpki.RSA4096, nil
	case "ed25519":
		return testpki.Ed25519, nil
	}
	return 0, fmt.Errorf("unknown key type %q", s)
}

func writePKIFiles(dir string, files map[string][]byte) error {
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// scriptCondition answers [tool:NAME]: true when the program is installed.
// Scripts say `[!tool:openssl] skip`; under CHAINTOOL_REQUIRE_TOOLS (CI) a
// missing tool fails the script instead of skipping it.
func scriptCondition(cond string) (bool, error) {
	name, ok := strings.CutPrefix(cond, "tool:")
	if !ok {
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	missing, err := testpki.ToolMissing(name)
	return !missing, err
}
