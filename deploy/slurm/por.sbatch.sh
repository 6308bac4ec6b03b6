#!/usr/bin/env bash
# A por build as a Slurm array job (the shards) and a dependent combine job (docs/SCALE.md).
# NOT run by por's tests (they run the same commands on Dask: test/merkle/engine-dask.test.ts);
# the commands are the ones the tests run. Parts, shards and the output on a shared filesystem.
#   N=4 SNAPSHOT_ID=2026-11-24 DATA=/shared/por bash deploy/slurm/por.sbatch.sh
set -euo pipefail
: "${N:?number of parts}" "${SNAPSHOT_ID:?}" "${DATA:?folder with parts/part-I.csv, assets.json, secret.key}"
POR=${POR:-por}
common="--assets $DATA/assets.json --secret-file $DATA/secret.key --snapshot-id $SNAPSHOT_ID --quiet"
shards=$(sbatch --parsable --array=0-$((N - 1)) --job-name=por-shard --cpus-per-task=2 --mem=8G \
  --wrap="$POR build $DATA/parts/part-\$SLURM_ARRAY_TASK_ID.csv --shard \$SLURM_ARRAY_TASK_ID/$N --out $DATA/shards/\$SLURM_ARRAY_TASK_ID --force $common")
dirs=$(for i in $(seq 0 $((N - 1))); do printf '%s ' "$DATA/shards/$i"; done)
sbatch --parsable --dependency=afterok:"$shards" --job-name=por-combine --cpus-per-task=2 --mem=8G \
  --wrap="$POR combine $dirs --out $DATA/tree --force $common"
# A shard that failed: re-run its index alone (sbatch --array=I ...), then the combine job again.
