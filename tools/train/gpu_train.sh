#!/usr/bin/env bash
# The one prepared command that trains the neural families on a borrowed GPU machine
# (DESIGN.md §6c; tools/train/README.md "Training on a GPU"). Run from the repository root there.
#
#   tools/train/gpu_train.sh smoke           # unpack what has arrived, 20 s of each trainer
#   tools/train/gpu_train.sh train MINUTES   # unpack, train stftae and rvq side by side on the GPU
#   FAMILIES=rvq RESUME=1 tools/train/gpu_train.sh train MINUTES
#                                            # only rvq, starting from the shipped weights
#
# Data: the chunks tools/train/pack_dataset.py made, carried in build-gpu/chunk*/ (one chunk per
# call, since a call carries at most 64 MiB; chunks that arrived with earlier calls on the same
# warm machine are kept in $STASH). Both trainers share the one GPU (each alone leaves it mostly
# idle). Every trainer saves OUT/checkpoint.pt every two minutes, so a run cut short still returns
# weights. Results, under $OUT (at most 8 files of 16 MiB come back): <family>.log and
# <family>.pt (model weights + step, minutes, device, batch) for export_<family>.py here.
set -uo pipefail
cd "$(dirname "$0")/../.."
MODE=${1:-smoke}
MINUTES=${2:-7}
OUT=${OUT:-build-gpu/out}
STASH=${STASH:-/root/tqcodec-stash}
DATA=/tmp/tqcodec-pcm24k
mkdir -p "$OUT" "$STASH"
export PYTHONUNBUFFERED=1

nvidia-smi -L || true
python3 -c 'import torch, numpy; print("torch", torch.__version__, "numpy", numpy.__version__, "cuda", torch.cuda.is_available())'
for chunk in build-gpu/chunk*; do
  [[ -d $chunk ]] && cp -r "$chunk" "$STASH/"
done
python3 tools/train/pack_dataset.py unpack "$STASH"/chunk* --data "$DATA" || exit 1
du -sh "$DATA"

FAMILIES=${FAMILIES:-stftae rvq}
RESUME=${RESUME:-0}

train() {  # FAMILY MINUTES BATCH LR [extra...]; stopped after $LIMIT seconds whatever happens
  local family=$1 minutes=$2 batch=$3 lr=$4
  shift 4
  [[ " $FAMILIES " == *" $family "* ]] || return 0
  if [[ $RESUME == 1 ]]; then
    set -- --init "libtqcodec/models/$family-24k.safetensors" "$@"
  fi
  timeout "$LIMIT" python3 tools/train/train_"$family".py --device "${DEVICE:-cuda}" --data "$DATA" --out "/tmp/train-$family" \
    --minutes "$minutes" --batch "$batch" --lr "$lr" --threads 4 --log-every 200 --val-every 1000 "$@" \
    >"$OUT/$family.log" 2>&1
}

if [[ $MODE == smoke ]]; then
  LIMIT=90
  rm -rf /tmp/train-stftae /tmp/train-rvq
  train stftae 0.2 48 1.5e-3 --val-every 50 --log-every 10 --val-examples 8 &
  train rvq 0.2 32 1e-3 --val-every 50 --log-every 10 --val-examples 8 &
  wait
  tail -n 6 "$OUT"/*.log
  rm -rf /tmp/train-stftae /tmp/train-rvq
  exit 0
fi

# Leave time to write the results before the call's limit: the trainers stop after MINUTES of
# training steps or MINUTES + 0.5 of wall-clock time (validation and start-up count there),
# whichever comes first, saving and validating as at the end; a watchdog stops them regardless.
# (The first run had only the watchdog: it stopped stftae at 6.6 of its 7.2 minutes.)
LIMIT=$(python3 -c "print(int($MINUTES * 60 + 90))")
WALL=$(python3 -c "print($MINUTES + 0.5)")
train stftae "$MINUTES" 48 1.5e-3 --wall-minutes "$WALL" &
train rvq "$MINUTES" 32 1e-3 --wall-minutes "$WALL" &
wait
for family in $FAMILIES; do
  python3 - "$family" "$OUT" <<'PY'
import sys, torch
family, out = sys.argv[1], sys.argv[2]
ckpt = torch.load("/tmp/train-%s/checkpoint.pt" % family, map_location="cpu")
keep = {k: ckpt[k] for k in ("model", "step", "elapsed", "best", "device", "batch")}
torch.save(keep, "%s/%s.pt" % (out, family))
print(family, "step", ckpt["step"], "minutes %.2f" % (ckpt["elapsed"] / 60))
PY
done
tail -n 12 "$OUT"/*.log
ls -la "$OUT"
