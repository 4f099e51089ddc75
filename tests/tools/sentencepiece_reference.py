"""Token ids from Google's SentencePiece (Debian python3-sentencepiece), for TokenizerReferenceTests.cs.

usage: python3 sentencepiece_reference.py train CORPUS.txt MODEL_PREFIX VOCAB_SIZE MODEL_TYPE
         trains MODEL_PREFIX.model on CORPUS.txt with Llama-2's normalisation settings (no NFKC, byte fallback,
         split digits, whitespace kept as is)
       python3 sentencepiece_reference.py encode MODEL.model < texts.json > ids.json
         stdin: a JSON array of strings; stdout: a JSON array of id arrays, one per string (no BOS/EOS)
"""
import json
import sys

import sentencepiece as spm


def main():
    command = sys.argv[1]
    if command == "train":
        corpus, prefix, vocab_size, model_type = sys.argv[2:6]
        spm.SentencePieceTrainer.train(
            input=corpus, model_prefix=prefix, vocab_size=int(vocab_size), model_type=model_type,
            character_coverage=0.99995, byte_fallback=True, split_digits=True, normalization_rule_name="identity",
            remove_extra_whitespaces=False, allow_whitespace_only_pieces=True, add_dummy_prefix=True,
            max_sentence_length=1 << 20, num_threads=1, minloglevel=2)
    elif command == "encode":
        processor = spm.SentencePieceProcessor(model_file=sys.argv[2])
        texts = json.loads(sys.stdin.read())
        sys.stdout.write(json.dumps([processor.encode(t) for t in texts]))
    else:
        sys.exit(f"unknown command {command!r}: use train or encode")


if __name__ == "__main__":
    main()
