package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/grade"
	"github.com/urfave/cli/v2"
)

func completionCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script (bash or zsh)",
		ArgsUsage: "bash|zsh",
		Description: `Prints a script that completes chaintool's commands and flags.

EXAMPLES:
   source <(chaintool completion bash)
   chaintool completion zsh > "${fpath[1]}/_chaintool"

EXIT CODES:
   0 printed; 2 unknown shell`,
		Action: func(c *cli.Context) error {
			switch c.Args().First() {
			case "bash":
				_, err := io.WriteString(e.stdout, bashCompletion)
				return err
			case "zsh":
				_, err := io.WriteString(e.stdout, zshCompletion)
				return err
			}
			return usageError("completion: want bash or zsh, got %q", c.Args().First())
		},
	}
}

func manCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:        "man",
		Usage:       "print the manual page (roff)",
		Description: "Prints chaintool's manual page (section 1) in roff, built from the\ncommands' help.\n\nEXAMPLES:\n   chaintool man | man -l -\n   chaintool man > /usr/local/share/man/man1/chaintool.1\n\nEXIT CODES:\n   0 printed; 2 I/O error",
		Action: func(c *cli.Context) error {
			page, err := manPage(c.App)
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(e.stdout, page)
			return err
		},
	}
}

// manPage renders the app as a section 1 manual page. urfave/cli leaves
// out each command's description (where EXAMPLES and EXIT CODES are), so
// it is rendered from a copy of the commands whose usage text holds the
// synopsis and the description.
func manPage(app *cli.App) (string, error) {
	doc := *app
	doc.Commands = make([]*cli.Command, 0, len(app.Commands))
	for _, cmd := range app.Commands {
		page := *cmd
		synopsis := "chaintool " + cmd.Name + " [options]"
		if cmd.ArgsUsage != "" {
			synopsis += " " + cmd.ArgsUsage
		}
		page.UsageText = synopsis + "\n\n" + strings.TrimSpace(cmd.Description)
		// urfave/cli gives the command being run (man itself) a "help"
		// subcommand; chaintool has no help command.
		page.Subcommands = nil
		doc.Commands = append(doc.Commands, &page)
	}
	return doc.ToManWithSection(1)
}

// flagChoices are the values of the flags that take one of a fixed set,
// by flag name, offered when such a value is completed. Each list comes
// from the code that checks the value, but convert's formats, which
// convertFlags checks against these three words.
var flagChoices = map[string][]string{
	"to":          {"pem", "der", "pfx"},
	"pfx-profile": {string(bundle.PFXModern), string(bundle.PFXLegacy)},
	"for":         targetNames(),
	"roots":       {bundle.RootsSystem, bundle.RootsMozilla},
	"min-grade":   grade.Minimums,
}

func targetNames() []string {
	var names []string
	for _, t := range bundle.Targets() {
		names = append(names, string(t))
	}
	return names
}

// completeWords is cmd's shell completion for the words typed after the
// command name, the last being the word completed when it starts with a
// dash (as the scripts send it). After a flag that takes a value it offers
// the flag's fixed choices, or nothing, so that the shell completes file
// names; for a partial flag, the flags it begins; otherwise nothing (urfave's
// default would offer the help command, `help` and `h`). It reads the words
// as typed, not os.Args as urfave's default does.
func completeWords(cmd *cli.Command, typed []string) cli.BashCompleteFunc {
	return func(c *cli.Context) {
		if len(typed) == 0 {
			return
		}
		last := typed[len(typed)-1]
		var offers []string
		switch {
		case slices.Contains(typed[:len(typed)-1], "--"), !strings.HasPrefix(last, "-"):
		case !strings.Contains(last, "=") && takesValue(cmd, last):
			offers = flagChoices[strings.TrimLeft(last, "-")]
		default:
			offers = flagsBeginning(cmd, last, typed[:len(typed)-1])
		}
		for _, o := range offers {
			fmt.Fprintln(c.App.Writer, o)
		}
	}
}

// flagsBeginning lists cmd's visible flags that partial ("-", "--t") begins,
// as typed: --name, or -n when partial has one dash. Flags already given are
// left out unless they may be repeated.
func flagsBeginning(cmd *cli.Command, partial string, given []string) []string {
	prefix := strings.TrimLeft(partial, "-")
	var out []string
	for _, f := range cmd.Flags {
		if v, ok := f.(cli.VisibleFlag); ok && !v.IsVisible() || isGiven(f, given) {
			continue
		}
		for _, name := range f.Names() {
			switch {
			case !strings.HasPrefix(name, prefix):
			case len(name) > 1:
				out = append(out, "--"+name)
			case !strings.HasPrefix(partial, "--"):
				out = append(out, "-"+name)
			}
		}
	}
	return out
}

// isGiven reports whether flag f, which cannot be repeated, is among words.
func isGiven(f cli.Flag, words []string) bool {
	if _, repeatable := f.(*cli.StringSliceFlag); repeatable {
		return false
	}
	for _, w := range words {
		name, _, _ := strings.Cut(w, "=")
		if strings.HasPrefix(name, "-") && slices.Contains(f.Names(), strings.TrimLeft(name, "-")) {
			return true
		}
	}
	return false
}

// The scripts send the words typed before the cursor, then the word being
// completed when it starts with a dash, then --generate-bash-completion.
// When chaintool offers nothing, and after a `--`, the shell completes file
// names itself (bash: COMPREPLY stays empty, so -o default applies), which
// handles spaces in names and folders.
const bashCompletion = `# bash completion for chaintool
_chaintool_complete() {
  local cur="${COMP_WORDS[COMP_CWORD]}" IFS=$'\n'
  local -a words=("${COMP_WORDS[@]:0:COMP_CWORD}")
  local w
  for w in "${words[@]}"; do
    [[ "$w" == -- ]] && return
  done
  # bash splits --flag=VALUE into --flag, = and VALUE.
  if [[ "$cur" == = ]]; then
    cur=
  elif [[ "${words[-1]}" == = ]]; then
    unset 'words[-1]'
  fi
  if [[ "$cur" == -* ]]; then
    words+=("$cur")
  fi
  COMPREPLY=($(compgen -W "$("${words[@]}" --generate-bash-completion 2>/dev/null)" -- "$cur"))
}
complete -o bashdefault -o default -F _chaintool_complete chaintool
`

const zshCompletion = `#compdef chaintool
_chaintool() {
  local -a opts typed
  local cur=${words[CURRENT]}
  typed=(${words[1,CURRENT-1]})
  if (( ${typed[(Ie)--]} )); then
    _files
    return
  fi
  if [[ "$cur" == -* ]]; then
    typed+=("$cur")
  fi
  opts=(${(f)"$(${typed[@]} --generate-bash-completion 2>/dev/null)"})
  if (( ${#opts} )); then
    _describe 'values' opts
  else
    _files
  fi
}
compdef _chaintool chaintool
`
