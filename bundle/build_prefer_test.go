package bundle_test

import (
	"testing"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/internal/testpki"
)

// preferenceGraphs are the cases of the later preference rules: each has
// two valid paths that the rules before it cannot tell apart, and is built
// so that the rules after it would choose the other path.
func preferenceGraphs() map[string]graph {
	// inter as root issued it: valid from a year ago for five years.
	// The leaf expires 60 days after testpki.Now.
	//
	// Outlives the leaf: a newer cross-sign of inter by the same root
	// expires before the leaf; "newest" alone would take it.
	interShort := root.CrossSign(inter, testpki.Validity(testpki.Now.AddDate(0, 0, -1), testpki.Now.AddDate(0, 0, 30)))
	// Shortest: a newer copy of inter under a second intermediate of the
	// same root makes a path one longer; "newest" alone would take it.
	mid := root.NewIntermediate("Table Mid")
	interViaMid := mid.CrossSign(inter, testpki.Validity(testpki.Now.AddDate(0, 0, -1), testpki.Now.AddDate(5, 0, 0)))
	// Newest: a renewal of inter from last week, offered by the pool; the
	// last tie-break (fewest certificates from outside the inputs) alone
	// would keep the older input copy.
	interNew := root.CrossSign(inter, testpki.Validity(testpki.Now.AddDate(0, 0, -7), testpki.Now.AddDate(5, 0, 0)))
	// Each case also runs with the inputs in the other order, so that the
	// order paths are found in cannot stand in for the rule.
	return map[string]graph{
		"intermediates that outlive the leaf beat newer ones": {inputs: cs(leaf, interShort, inter), roots: cs(root),
			want: cs(leaf, inter, root), check: wantAlternatives(1)},
		"intermediates that outlive the leaf, in the other order": {inputs: cs(leaf, inter, interShort), roots: cs(root),
			want: cs(leaf, inter, root), check: wantAlternatives(1)},
		"shortest beats newest": {inputs: cs(leaf, interViaMid, mid, inter), roots: cs(root),
			want: cs(leaf, inter, root), check: wantAlternatives(1)},
		"shortest, in the other order": {inputs: cs(leaf, inter, mid, interViaMid), roots: cs(root),
			want: cs(leaf, inter, root), check: wantAlternatives(1)},
		"newest intermediate, from the pool": {inputs: cs(leaf, inter), pool: cs(interNew), roots: cs(root),
			want: cs(leaf, interNew, root), check: wantAlternatives(1)},
		"newest intermediate, input first": {inputs: cs(leaf, interNew, inter), roots: cs(root),
			want: cs(leaf, interNew, root), check: wantAlternatives(1)},
		"newest intermediate, input last": {inputs: cs(leaf, inter, interNew), roots: cs(root),
			want: cs(leaf, interNew, root), check: wantAlternatives(1)},
	}
}

func wantAlternatives(n int) func(*testing.T, *bundle.Chain, error) {
	return func(t *testing.T, c *bundle.Chain, _ error) {
		t.Helper()
		if len(c.Alternatives) != n {
			t.Errorf("%d alternatives, want %d (the rule had nothing to choose between)", len(c.Alternatives), n)
		}
	}
}
