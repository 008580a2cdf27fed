#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# Prints the command lines of a systemd unit as systemd would run them, for
# tests/deploy/test_deploy.sh: continuation lines joined, Exec*= prefixes
# (-+!@:) dropped, words split with quotes removed, then ${VAR} replaced by
# one word and a lone $VAR by its value split at blanks, from the unit's
# EnvironmentFile= read from ENVDIR (the file's base name).
#   unitcmd.py UNIT ENVDIR   one line per command: KEY<TAB>word<US>word...
# (US: the ASCII unit separator, 0x1f)
import os
import shlex
import sys


def env_file(path):
    env = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line[0] in "#;":
                continue
            k, _, v = line.partition("=")
            v = v.strip()
            if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
                v = v[1:-1]
            env[k.strip()] = v
    return env


def expand(word, env):
    if word.startswith("$") and not word.startswith("${") and \
            word[1:].replace("_", "a").isalnum():
        return env.get(word[1:], "").split()
    out, i = "", 0
    while i < len(word):
        if word.startswith("${", i):
            j = word.index("}", i)
            out += env.get(word[i + 2:j], "")
            i = j + 1
        else:
            out += word[i]
            i += 1
    return [out]


def main():
    unit, envdir = sys.argv[1], sys.argv[2]
    lines, cur = [], ""
    with open(unit) as f:
        for raw in f:
            raw = raw.rstrip("\n")
            if raw.endswith("\\"):
                cur += raw[:-1] + " "
                continue
            lines.append(cur + raw)
            cur = ""
    env = {}
    for l in lines:
        if l.startswith("EnvironmentFile="):
            p = l.split("=", 1)[1].lstrip("-")
            env.update(env_file(os.path.join(envdir, os.path.basename(p))))
    for l in lines:
        key, _, val = l.partition("=")
        if not key.startswith("Exec"):
            continue
        words = shlex.split(val.lstrip("-+!@:"))
        out = []
        for w in words:
            out.extend(expand(w, env))
        sys.stdout.write(key + "\t" + "\x1f".join(out) + "\n")


main()
