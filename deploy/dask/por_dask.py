#!/usr/bin/env python3
"""A por build as shards on a Dask distributed cluster, then the combine step.

Each shard is an ordinary `por build PART --shard I/N --out SHARD_DIR` command run by a Dask
worker; the combine (`por combine SHARD_DIR... --out DIR`) runs once every shard has finished
(it depends on their futures). Parts, shard folders and the output must be on a filesystem every
worker sees (one machine, NFS, a shared volume). A shard that fails is retried by Dask
(--retries); re-running one shard is enough, the others are kept.

  python3 deploy/dask/por_dask.py --scheduler tcp://127.0.0.1:8786 \\
      --assets assets.json --secret-file secret.key --snapshot-id 2026-11-24 \\
      --shard-dir shards/ --out tree/ part-0.csv part-1.csv part-2.csv part-3.csv

Prints the combine's --json output (root.json) on stdout; exit 0 when combined, 2 otherwise.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys

from distributed import Client


def run(cmd):
    """Runs one por command on a worker; its stderr is in the error when it fails."""
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{shlex.join(cmd)} exited {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def combine(_shards_done, cmd):
    """The combine task: its first argument is the list of shard results, so it waits for them."""
    return run(cmd)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scheduler", required=True, help="Dask scheduler address, e.g. tcp://127.0.0.1:8786")
    ap.add_argument("--por", default="por", help="how workers run por (default: por on PATH), e.g. 'node /app/bin/por.mjs'")
    ap.add_argument("--assets", required=True)
    ap.add_argument("--secret-file", required=True)
    ap.add_argument("--snapshot-id", required=True)
    ap.add_argument("--height", default="32")
    ap.add_argument("--shard-dir", required=True, help="folder for the shard folders (0, 1, …)")
    ap.add_argument("--out", required=True, help="build folder the combine writes")
    ap.add_argument("--retries", type=int, default=2, help="times Dask re-runs a failed shard")
    ap.add_argument("parts", nargs="+", help="the N part files, part I holding every row of its users")
    a = ap.parse_args()
    por = shlex.split(a.por)
    common = ["--assets", a.assets, "--secret-file", a.secret_file, "--snapshot-id", a.snapshot_id, "--height", a.height, "--quiet"]
    n = len(a.parts)
    shard_dirs = [os.path.join(a.shard_dir, str(i)) for i in range(n)]
    client = Client(a.scheduler)
    try:
        shards = [
            client.submit(run, por + ["build", part, "--shard", f"{i}/{n}", "--out", shard_dirs[i], "--force", *common],
                          key=f"por-shard-{i}-of-{n}", pure=False, retries=a.retries)
            for i, part in enumerate(a.parts)
        ]
        done = client.submit(combine, shards, por + ["combine", *shard_dirs, *common, "--out", a.out, "--force", "--json"],
                             key="por-combine", pure=False)
        root = json.loads(done.result())
    except Exception as err:  # a shard or the combine failed: its command and stderr are in the message
        print(f"por_dask: {err}", file=sys.stderr)
        return 2
    finally:
        client.close()
    print(json.dumps(root, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
