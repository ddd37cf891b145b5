package main

import (
	"fmt"
	"io"
	"strings"

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
		doc.Commands = append(doc.Commands, &page)
	}
	return doc.ToManWithSection(1)
}

const bashCompletion = `# bash completion for chaintool
_chaintool_complete() {
  local cur words
  COMPREPLY=()
  cur="${COMP_WORDS[COMP_CWORD]}"
  words=("${COMP_WORDS[@]:0:$COMP_CWORD}")
  local opts
  if [[ "$cur" == -* ]]; then
    opts=$("${words[@]}" "$cur" --generate-bash-completion 2>/dev/null)
  else
    opts=$("${words[@]}" --generate-bash-completion 2>/dev/null)
  fi
  opts=$(printf '%s\n' "$opts" | grep -vx -e help -e h)
  COMPREPLY=($(compgen -W "${opts}" -- "${cur}"))
  if [[ ${#COMPREPLY[@]} -eq 0 ]]; then
    COMPREPLY=($(compgen -f -- "${cur}"))
  fi
}
complete -o bashdefault -o default -F _chaintool_complete chaintool
`

const zshCompletion = `#compdef chaintool
_chaintool() {
  local -a opts
  local cur=${words[-1]}
  if [[ "$cur" == -* ]]; then
    opts=("${(@f)$(${words[@]:0:#words[@]-1} ${cur} --generate-bash-completion 2>/dev/null)}")
  else
    opts=("${(@f)$(${words[@]:0:#words[@]-1} --generate-bash-completion 2>/dev/null)}")
  fi
  opts=(${opts:#(help|h)})
  if [[ "${opts[1]}" != "" ]]; then
    _describe 'values' opts
  else
    _files
  fi
}
compdef _chaintool chaintool
`
