"""A tiny randomly initialised Llama, its tokenizer and LoRA adapters, built offline in a
test: small enough to load and generate in well under a second.

Two tokenizers: word-level (`build_tokenizer`, the default: whole words of SENTENCES)
and byte-level BPE (`byte_level=True`: every text can be written, as with real models'
tokenizers; what constrained decoding needs to spell JSON and schema names)."""

from __future__ import annotations

import json
from pathlib import Path

SENTENCES = [
    "onde fica o limite de crédito do cliente",
    "select total from vendas where estado = 'SP'",
    "the customer table holds names and credit limits",
    "Question: Answer: join clientes on pedidos by cli_cod",
    "tabela produtos coluna preco situacao ativo inativo",
]


def build_tokenizer(folder: Path) -> None:
    """A word-level tokenizer trained in memory on SENTENCES, saved as a fast tokenizer."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    specials = ["<pad>", "<s>", "</s>", "<unk>"]
    tok = Tokenizer(models.WordLevel(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.decoder = decoders.WordPiece(prefix="##")  # joins words with spaces
    tok.train_from_iterator(SENTENCES, trainers.WordLevelTrainer(special_tokens=specials))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", bos_token="<s>",
                                   eos_token="</s>", unk_token="<unk>")
    fast.save_pretrained(folder)


def build_byte_tokenizer(folder: Path, vocab_size: int = 400) -> None:
    """A byte-level BPE tokenizer (all 256 bytes, merges learnt from SENTENCES and some
    JSON), saved as a fast tokenizer: any text has a tokenization."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    specials = ["<pad>", "<s>", "</s>", "<unk>"]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    corpus = [*SENTENCES, '{"pick":1}', '{"table":"CAD_CLI","select":["COUNT(*)"]}',
              "SELECT COUNT(*) FROM CAD_CLI WHERE SITUACAO = 'A'"]
    tok.train_from_iterator(corpus, trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", bos_token="<s>",
                                   eos_token="</s>", unk_token="<unk>")
    fast.save_pretrained(folder)


def build_model(folder: Path, seed: int = 0, *, byte_level: bool = False,
                init_range: float = 0.02) -> None:
    """Tokenizer + a 2-layer, hidden-32 Llama with random weights, saved in `folder`
    (`byte_level`: the byte-level BPE tokenizer instead of the word-level one;
    `init_range`: the weights' spread; at the usual 0.02 the output layer of so small a
    model cannot make any token much likelier than another, so a LoRA that should learn
    an answer needs a wider one)."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    (build_byte_tokenizer if byte_level else build_tokenizer)(folder)
    tok = AutoTokenizer.from_pretrained(folder)
    config = LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=64,
                         num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                         max_position_embeddings=256, bos_token_id=tok.bos_token_id,
                         initializer_range=init_range,
                         eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id)
    torch.manual_seed(seed)
    LlamaForCausalLM(config).save_pretrained(folder)


def build_adapter(base: Path, folder: Path, *, seed: int, rank: int = 4,
                  base_name: str | None = None) -> None:
    """A LoRA adapter with random (non-zero) weights on q/v projections of `base`."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(base)
    torch.manual_seed(seed)
    config = LoraConfig(r=rank, lora_alpha=4 * rank, target_modules=["q_proj", "v_proj"],
                        init_lora_weights=False, task_type="CAUSAL_LM")
    peft = get_peft_model(model, config)
    with torch.no_grad():  # make the update large enough to change greedy outputs
        for name, param in peft.named_parameters():
            if "lora_" in name:
                param.mul_(8.0)
    peft.save_pretrained(folder)
    if base_name is not None:
        path = folder / "adapter_config.json"
        data = json.loads(path.read_text())
        data["base_model_name_or_path"] = base_name
        path.write_text(json.dumps(data))
