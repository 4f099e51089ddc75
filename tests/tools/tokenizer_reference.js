// Token ids from an independent reference tokenizer, for tests/Harness.Tests/Data/TokenizerReferenceTests.cs.
// usage: node tokenizer_reference.js NODE_MODULES ENCODING < texts.json > ids.json
//   NODE_MODULES: the folder holding the packages of tests/tools/tokenizer-references/package.json
//   ENCODING: "gpt-3-encoder" (OpenAI's GPT-2 BPE, ported to JavaScript), a js-tiktoken encoding name
//             ("gpt2", "r50k_base", "cl100k_base", "o200k_base"), or "hf-json:FOLDER" (the tokenizer.json and
//             tokenizer_config.json in FOLDER, read by Hugging Face's tokenizers.js, @huggingface/tokenizers)
// stdin: a JSON array of strings; stdout: a JSON array of id arrays, one per string.
const fs = require('fs');
const path = require('path');
const [modules, encoding] = process.argv.slice(2);
const texts = JSON.parse(fs.readFileSync(0, 'utf8'));
let encode;
if (encoding.startsWith('hf-json:')) {
  const folder = encoding.slice('hf-json:'.length);
  const { Tokenizer } = require(path.join(modules, '@huggingface', 'tokenizers'));
  const read = name => JSON.parse(fs.readFileSync(path.join(folder, name), 'utf8'));
  const tokenizer = new Tokenizer(read('tokenizer.json'), read('tokenizer_config.json'));
  encode = text => tokenizer.encode(text, { add_special_tokens: false }).ids;
} else if (encoding === 'gpt-3-encoder') {
  const gpt3 = require(path.join(modules, 'gpt-3-encoder'));
  encode = text => gpt3.encode(text);
} else {
  const { getEncoding } = require(path.join(modules, 'js-tiktoken'));
  const enc = getEncoding(encoding);
  // Special tokens are plain text here, as for the harness (nothing in the test texts spells one).
  encode = text => enc.encode(text, [], []);
}
process.stdout.write(JSON.stringify(texts.map(encode)));
