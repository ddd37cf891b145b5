package main

import (
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
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
		{"completion leaves out a typed -- and what follows (urfave/cli would run the command)",
			"convert a.pem --to pem -- b.pem --generate-bash-completion", "convert --to pem a.pem --generate-bash-completion"},
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

// TestCompletion runs shell completion in-process: the words typed (the
// last one being completed when it starts with a dash), then the flag.
func TestCompletion(t *testing.T) {
	tests := []struct {
		typed string
		want  string // the lines printed, space-separated
	}{
		{"convert a.pem --t", "--to"},
		{"convert a.pem -", "--to --output -o --force --no-keys --index --split --pfx-profile --password-file " +
			"--out-password-file --help -h"},
		{"convert --to pem --", "--output --force --no-keys --index --split --pfx-profile --password-file " +
			"--out-password-file --help"},
		{"convert a.pem", ""},
		{"convert", ""},
		{"convert a.pem -o", ""},
		{"convert a.pem --output", ""},
		{"convert a.pem --to", "pem der pfx"},
		{"convert a.pem --to=", ""},
		{"convert a.pem --pfx-profile", "modern legacy"},
		{"bundle a.pem --for", "pem nginx apache haproxy python pfx pfx-legacy k8s"},
		{"bundle a.pem --fo", "--for --force"},
		{"bundle --roots", "system mozilla"},
		{"verify --roots a.pem --ro", "--roots"},
		{"verify --json --j", ""},
		{"grade --min-grade", "A+ A A- B C D E F"},
		{"serve --min-grade", "A+ A A- B C D E F"},
		{"convert -- --t", ""},
		{"convert -- a.pem --to", ""},
	}
	for _, tt := range tests {
		t.Run(tt.typed, func(t *testing.T) {
			code, stdout, stderr := runMain(t, append(strings.Fields(tt.typed), completionFlag)...)
			if got := strings.Join(strings.Fields(stdout), " "); got != tt.want || code != 0 || stderr != "" {
				t.Errorf("completing %q: exit %d, printed %q, stderr %q; want %q", tt.typed, code, got, stderr, tt.want)
			}
		})
	}
}

// TestFlagChoicesNameValueFlags: every flag given choices exists and takes
// a value, so that renaming a flag cannot silently lose its completion.
func TestFlagChoicesNameValueFlags(t *testing.T) {
	app := newApp(&env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard})
	for name := range flagChoices {
		var found []string
		for _, cmd := range app.Commands {
			if slices.ContainsFunc(cmd.Flags, func(f cli.Flag) bool { return slices.Contains(f.Names(), name) }) {
				found = append(found, cmd.Name)
				if !takesValue(cmd, "--"+name) {
					t.Errorf("%s --%s has choices but takes no value", cmd.Name, name)
				}
			}
		}
		if len(found) == 0 {
			t.Errorf("no command has a --%s flag, which has choices", name)
		}
	}
}

// TestConvertAcceptsItsChoices: convert's formats and PFX profiles, offered
// when completing, are the ones it accepts (the error is then about the
// missing input, not the value).
func TestConvertAcceptsItsChoices(t *testing.T) {
	for _, to := range flagChoices["to"] {
		args := []string{"convert", "--to", to, "missing.pem"}
		if to == "pfx" {
			for _, profile := range flagChoices["pfx-profile"] {
				checkInputError(t, append([]string{"convert", "--to", to, "--pfx-profile", profile}, "missing.pem"))
			}
		}
		checkInputError(t, args)
	}
}

func checkInputError(t *testing.T, args []string) {
	t.Helper()
	_, _, stderr := runMain(t, args...)
	if !strings.HasPrefix(stderr, "chaintool: error: missing.pem:") {
		t.Errorf("chaintool %s: stderr %q, want an error about missing.pem", strings.Join(args, " "), stderr)
	}
}

// TestUsageHintNamesCommand: a usage error of a command hints at that
// command's help, worded as for a flag error; without a command, the app's.
func TestUsageHintNamesCommand(t *testing.T) {
	tests := []struct {
		args []string
		hint string
	}{
		{[]string{"convert", "--to", "pem", "--pfx-profile", "legacy", "a.pem"}, "run 'chaintool convert --help'"},
		{[]string{"convert", "--nope", "a.pem"}, "run 'chaintool convert --help'"},
		{[]string{"bundle", "--for", "iis", "a.pem"}, "run 'chaintool bundle --help'"},
		{[]string{"completion", "fish"}, "run 'chaintool completion --help'"},
		{[]string{"frobnicate"}, "run 'chaintool --help'"},
		{[]string{"--nope"}, "run 'chaintool --help'"},
	}
	for _, tt := range tests {
		code, _, stderr := runMain(t, tt.args...)
		if want := "chaintool: hint: " + tt.hint + "\n"; code != 2 || !strings.HasSuffix(stderr, want) {
			t.Errorf("chaintool %s: exit %d, stderr %q; want exit 2 and %q", strings.Join(tt.args, " "), code, stderr, want)
		}
	}
}
