#!/usr/bin/env bash
# Builds the CUDA test and benchmark executables on this machine (no CUDA needed: the
# driver is loaded at run time) and gathers them in target/cuda-carry/ with the test data
# and a runner, to be copied to a GPU machine:
#
#   bash cuda/carry.sh                      # here
#   cd target/cuda-carry && bash run.sh     # there (same OS/glibc family); exits non-zero
#                                           # on any failure; LOSSKIT_REQUIRE_GPU=1 is set
#   bash run.sh --bench                     # also runs the criterion benchmark
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/cuda-carry
rm -rf "$out"
mkdir -p "$out/tests"
cp -r tests/data "$out/tests/data"
# Prints the executables of cargo's JSON messages on stdin, one per line.
executables() {
    python3 -c '
import json, sys
for line in sys.stdin:
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("reason") == "compiler-artifact" and m.get("executable"):
        print(m["target"]["name"], m["executable"])
'
}
copy() {  # prefix
    while read -r name exe; do
        cp "$exe" "$out/$1-$name"
        echo "$out/$1-$name"
    done
}
cargo test --release -p losskit --features cuda --test cuda --no-run --message-format=json \
    | executables | copy test-core
cargo test --release -p losskit-capi --features cuda --lib --no-run --message-format=json \
    | executables | copy test-capi
cargo bench -p losskit --features cuda --bench cuda --no-run --message-format=json \
    | executables | copy bench
cp benches/torch_cuda_ce.py "$out/"
cat > "$out/run.sh" <<'RUN'
#!/usr/bin/env bash
# Runs the carried CUDA tests (and with --bench the benchmark) from this folder.
set -euo pipefail
cd "$(dirname "$0")"
export LOSSKIT_REQUIRE_GPU=1
nvidia-smi -L 2>/dev/null || true
./test-core-cuda --test-threads=1
./test-capi-losskit --test-threads=1 cuda_tests
if [ "${1:-}" = "--bench" ]; then
    ./bench-cuda --bench
    if python3 -c "import torch; assert torch.cuda.is_available()" 2>/dev/null; then
        python3 torch_cuda_ce.py
    else
        echo "torch with CUDA not installed: skipped benches/torch_cuda_ce.py"
    fi
fi
RUN
chmod +x "$out/run.sh"
du -sh "$out"
