#!/bin/sh
# Checks filter shared objects (ABI rule: one exported symbol, no host symbol imported).
# Usage: check_exports.sh SANITIZE(ON|OFF) LIBRARY::LINK_OPTIONS...
#  - the dynamic symbol table defines exactly one function: sluice_plugin_entry;
#  - unless SANITIZE is ON, the library was linked with -Wl,--no-undefined, and `ldd -r` finds
#    every symbol it needs in its own dependencies.
set -u
sanitize=$1
shift
status=0
for spec in "$@"; do
  lib=${spec%%::*}
  options=${spec#*::}
  name=$(basename "$lib")
  if [ ! -f "$lib" ]; then
    echo "FAIL $name: not built ($lib)"
    status=1
    continue
  fi
  # nm -D --defined-only: "VALUE TYPE NAME"; T/W/i are functions (strong, weak, indirect).
  functions=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TWi]$/ {print $3}' | sort)
  if [ "$functions" = "sluice_plugin_entry" ]; then
    echo "ok   $name: the only exported function is sluice_plugin_entry"
  else
    echo "FAIL $name: must export exactly one function, sluice_plugin_entry; exports:"
    echo "$functions" | sed 's/^/       /'
    status=1
  fi
  others=$(nm -D --defined-only "$lib" | awk '$2 !~ /^[TWi]$/ {print $2 " " $3}')
  if [ -n "$others" ]; then
    echo "note $name: other exported (non-function) symbols:"
    echo "$others" | sed 's/^/       /'
  fi
  if [ "$sanitize" = "ON" ]; then
    continue
  fi
  case " $options " in
    *" -Wl,--no-undefined "*) echo "ok   $name: linked with -Wl,--no-undefined" ;;
    *)
      echo "FAIL $name: not linked with -Wl,--no-undefined (link options: $options)"
      status=1
      ;;
  esac
  unresolved=$(ldd -r "$lib" 2>&1 | grep 'undefined symbol' || true)
  if [ -n "$unresolved" ]; then
    echo "FAIL $name: symbols not provided by its own dependencies (host imports?):"
    echo "$unresolved" | sed 's/^/       /'
    status=1
  fi
done
exit $status
