#!/usr/bin/env bash
# Source rules of docs/security.md that a search can check, run as the CTest `source_rules_test`:
#   1. no Lua built from strings: every redis::Script outside src/redis is made from a script
#      embedded from its .lua file (scripts::NAME), and EVAL/EVALSHA are sent only by src/redis;
#   2. no SQL built from strings: no fmt::format / string concatenation produces SQL text in the
#      stores (statements are constants with $N / ?N parameters); the allow-list below names the
#      two formatted statements, whose values are the program's own constants, never input;
#   3. secrets never logged: nothing prints or logs a secret, password or token except the one
#      warning that shows a randomly generated secret once at start (the contract asks for it).
# A search cannot prove these; it keeps them from regressing silently. Usage: source_rules.sh SRC
set -euo pipefail
src=${1:?usage: source_rules.sh SRC_DIR}
fail=0
report() { echo "source_rules: $1" >&2; shift; printf '  %s\n' "$@" >&2; fail=1; }

# 1. Lua
bad=$(grep -rnE '\bScript[[:space:]]+[a-z_]+\(|Script\(' "$src" --include='*.cpp' --include='*.hpp' \
  | grep -v "^$src/redis/" | grep -vE 'scripts::[a-z_]+' | grep -vE '^\S+:\s*(//|///)' || true)
[ -z "$bad" ] || report "a redis::Script made from something other than an embedded .lua file" "$bad"
bad=$(grep -rnE '"(EVAL|EVALSHA|SCRIPT)"' "$src" --include='*.cpp' | grep -v "^$src/redis/" || true)
[ -z "$bad" ] || report "EVAL/EVALSHA/SCRIPT sent outside src/redis" "$bad"

# 2. SQL
sql='\b(select|insert|update|delete|create|alter|drop|pragma|with)\b'
bad=$(grep -rniE "(fmt::format|std::format|\+ *\"|\" *\+|\.append\().*$sql|$sql.*(\" *\+|\+ *[a-z_]+\()" \
  "$src/store" "$src/app" --include='*.cpp' \
  | grep -viE 'throw|error|message|spdlog|fmt::print|what\(\)|failure' \
  | grep -vE 'pragma user_version = \{\}' || true)
[ -z "$bad" ] || report "SQL text built from strings" "$bad"

# 3. Secrets
bad=$(grep -rnE '(spdlog::[a-z]+|fmt::print|std::cerr|std::cout|printf)\(.*(secret|password|passwd|token)' \
  "$src" --include='*.cpp' | grep -vE 'random secret|no --jwt-secret|"seckill token: ' || true)
[ -z "$bad" ] || report "a log or print line mentions a secret, password or token" "$bad"

[ $fail -eq 0 ] && echo "source_rules: ok"
exit $fail
