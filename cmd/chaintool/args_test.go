package main

import (
	"io"
	"slices"
	"strings"
	"testing"
)

// TestReorderArgs checks that flags typed after arguments are moved ahead
// of them (urfave/cli stops at the first argument), with their values, and
// that `--` and `-` keep their meaning.
func TestReorderArgs(t *testing.T) {
	app := newApp(&env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard})
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"flags after arguments", "convert a.pem b.pem --to pem -o out.pem",
			"convert --to pem -o out.pem -- a.pem b.pem"},
		{"flags between arguments", "convert a.pem --to der b.pem --force",
			"convert --to der --force -- a.pem b.pem"},
		{"flags already first", "convert --to pem a.pem", "convert --to pem -- a.pem"},
		{"value that looks like an argument stays with its flag", "convert a.pem -o b.pem", "convert -o b.pem -- a.pem"},
		{"value that looks like a flag stays with its flag", "convert a.pem -o - --to pem", "convert -o - --to pem -- a.pem"},
		{"flag=value is one word", "convert a.pem --to=der --index=2", "convert --to=der --index=2 -- a.pem"},
		{"boolean flags take no value", "inspect a.pem --json b.pem", "inspect --json -- a.pem b.pem"},
		{"password file flag takes a value", "inspect a.pfx --password-file pw.txt", "inspect --password-file pw.txt -- a.pfx"},
		{"dash is stdin, an argument", "convert - --to pem", "convert --to pem -- -"},
		{"double dash ends flags", "convert a.pem --to pem -- -b.pem --force",
			"convert --to pem -- a.pem -b.pem --force"},
		{"double dash first", "convert -- --odd.pem", "convert -- --odd.pem"},
		{"only flags", "convert --help", "convert --help"},
		{"global flags before the command stay", "--version", "--version"},
		{"unknown command untouched", "frobnicate a --x", "frobnicate a --x"},
		{"flag missing its value at the end stays last, no -- for it to take", "convert a.pem -o", "convert -o"},
		{"completion flag stays last, no -- (it turns completion off)", "convert a.pem --to pem --generate-bash-completion",
			"convert --to pem a.pem --generate-bash-completion"},
		{"completion of a partial flag after an argument", "convert a.pem --t --generate-bash-completion",
			"convert --t a.pem --generate-bash-completion"},
		{"completion of a flag value", "convert a.pem --to --generate-bash-completion",
			"convert --to --generate-bash-completion"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := append([]string{"chaintool"}, strings.Fields(tt.in)...)
			want := append([]string{"chaintool"}, strings.Fields(tt.want)...)
			if got := reorderArgs(app, in); !slices.Equal(got, want) {
				t.Errorf("reorderArgs(%q)\n got %q\nwant %q", tt.in, got, want)
			}
		})
	}
}

// TestReorderArgsKeepsEveryWord: reordering never loses or invents a word
// (besides the one `--` it adds before the arguments).
func TestReorderArgsKeepsEveryWord(t *testing.T) {
	app := newApp(&env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard})
	in := strings.Fields("chaintool convert x.pem --to pem y.der -o out.pem - --no-keys z.pfx --password-file pw")
	got := reorderArgs(app, in)
	sortedIn := slices.Sorted(slices.Values(append(in, "--")))
	if sortedGot := slices.Sorted(slices.Values(got)); !slices.Equal(sortedGot, sortedIn) {
		t.Errorf("words changed:\n got %q\nfrom %q", got, in)
	}
}

func TestOneLine(t *testing.T) {
	if got := oneLine("a\r\nb\n\n  c"); got != "a; b; ; c" {
		t.Errorf("oneLine = %q", got)
	}
}
