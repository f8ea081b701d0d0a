# Tab completion of `python -m sim` (config keys, groups, values) in bash:
#   source tools/sim-completion.bash
# Hydra's own script (`-sc install=bash`) completes `python app.py` or an installed command
# (`korea-gpu-sim`), not `python -m`; this asks the same Hydra query for `python -m sim`.
_sim_complete() {
  if [[ "${COMP_WORDS[1]}" != "-m" || "${COMP_WORDS[2]}" != "sim" ]]; then
    return 0
  fi
  local args="${COMP_LINE#*-m sim}"
  local choices
  choices=$(COMP_LINE="sim${args}" "${COMP_WORDS[0]}" -m sim -sc query=bash 2>/dev/null)
  COMPREPLY=($(compgen -o nospace -W "${choices}" -- "${COMP_WORDS[COMP_CWORD]}"))
}
COMP_WORDBREAKS=${COMP_WORDBREAKS//=}
complete -o nospace -o default -F _sim_complete python python3
