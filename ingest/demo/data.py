"""Deterministic rows for the demo ERP: a building-materials distributor, 2019–2024.

Everything comes from one `random.Random(seed)` and is produced in a fixed order, so
the same seed gives the same rows (no set iteration, no `hash()`, no clock).
Values are Python ints, strs, dates, datetimes, bools or None; money is a `str` with
two decimals (built from integer cents: exact and fast).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import accumulate

Value = int | str | date | datetime | bool | None
Row = tuple[Value, ...]

START = date(2019, 1, 1)
END = date(2024, 6, 30)
DAYS = (END - START).days + 1


@dataclass
class TableData:
    """Rows of one table, in load order; `columns` excludes computed columns."""

    name: str
    columns: Sequence[str]
    rows: list[Row] = field(default_factory=list)


def money(cents: int) -> str:
    """Integer cents as a NUMERIC literal ('1234.50')."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def qty(thousandths: int) -> str:
    """Integer thousandths as a NUMERIC(15,3) literal."""
    return f"{thousandths // 1000}.{thousandths % 1000:03d}"


# ---------------------------------------------------------------- reference lists
UFS: list[tuple[str, str, str, int]] = [
    ("RO", "Rondônia", "N", 11), ("AC", "Acre", "N", 12), ("AM", "Amazonas", "N", 13),
    ("RR", "Roraima", "N", 14), ("PA", "Pará", "N", 15), ("AP", "Amapá", "N", 16),
    ("TO", "Tocantins", "N", 17), ("MA", "Maranhão", "NE", 21), ("PI", "Piauí", "NE", 22),
    ("CE", "Ceará", "NE", 23), ("RN", "Rio Grande do Norte", "NE", 24),
    ("PB", "Paraíba", "NE", 25), ("PE", "Pernambuco", "NE", 26), ("AL", "Alagoas", "NE", 27),
    ("SE", "Sergipe", "NE", 28), ("BA", "Bahia", "NE", 29), ("MG", "Minas Gerais", "SE", 31),
    ("ES", "Espírito Santo", "SE", 32), ("RJ", "Rio de Janeiro", "SE", 33),
    ("SP", "São Paulo", "SE", 35), ("PR", "Paraná", "S", 41), ("SC", "Santa Catarina", "S", 42),
    ("RS", "Rio Grande do Sul", "S", 43), ("MS", "Mato Grosso do Sul", "CO", 50),
    ("MT", "Mato Grosso", "CO", 51), ("GO", "Goiás", "CO", 52),
    ("DF", "Distrito Federal", "CO", 53),
]

CITIES: dict[str, list[str]] = {
    "RO": ["Porto Velho", "Ji-Paraná"], "AC": ["Rio Branco"], "AM": ["Manaus", "Parintins"],
    "RR": ["Boa Vista"], "PA": ["Belém", "Santarém", "Marabá"], "AP": ["Macapá"],
    "TO": ["Palmas", "Araguaína"], "MA": ["São Luís", "Imperatriz"],
    "PI": ["Teresina", "Parnaíba"], "CE": ["Fortaleza", "Juazeiro do Norte", "Sobral"],
    "RN": ["Natal", "Mossoró"], "PB": ["João Pessoa", "Campina Grande"],
    "PE": ["Recife", "Caruaru", "Petrolina", "Olinda"], "AL": ["Maceió", "Arapiraca"],
    "SE": ["Aracaju"], "BA": ["Salvador", "Feira de Santana", "Vitória da Conquista", "Ilhéus"],
    "MG": ["Belo Horizonte", "Uberlândia", "Contagem", "Juiz de Fora", "Montes Claros",
           "Uberaba", "Poços de Caldas", "Varginha"],
    "ES": ["Vitória", "Vila Velha", "Serra", "Cachoeiro de Itapemirim"],
    "RJ": ["Rio de Janeiro", "Niterói", "Duque de Caxias", "Nova Iguaçu", "Petrópolis",
           "Volta Redonda", "Campos dos Goytacazes"],
    "SP": ["São Paulo", "Campinas", "Guarulhos", "Santo André", "São Bernardo do Campo",
           "Osasco", "Ribeirão Preto", "Sorocaba", "São José dos Campos", "Santos", "Jundiaí",
           "Piracicaba", "Bauru", "São José do Rio Preto", "Franca", "Limeira", "Marília",
           "Presidente Prudente", "Taubaté", "Araraquara"],
    "PR": ["Curitiba", "Londrina", "Maringá", "Ponta Grossa", "Cascavel", "Foz do Iguaçu",
           "São José dos Pinhais", "Guarapuava", "Toledo", "Apucarana"],
    "SC": ["Florianópolis", "Joinville", "Blumenau", "Chapecó", "Criciúma", "Itajaí",
           "Jaraguá do Sul", "Lages"],
    "RS": ["Porto Alegre", "Caxias do Sul", "Pelotas", "Canoas", "Santa Maria", "Passo Fundo",
           "Novo Hamburgo", "Santa Cruz do Sul"],
    "MS": ["Campo Grande", "Dourados"], "MT": ["Cuiabá", "Rondonópolis", "Sinop"],
    "GO": ["Goiânia", "Anápolis", "Aparecida de Goiânia", "Rio Verde"], "DF": ["Brasília"],
}
# Customers cluster where the branches are (South and Southeast).
UF_WEIGHT = {"SP": 30, "PR": 22, "SC": 12, "RS": 10, "MG": 9, "RJ": 6}

FIRST_M = ["José", "João", "Antônio", "Francisco", "Carlos", "Paulo", "Pedro", "Lucas", "Luiz",
           "Marcos", "Luís", "Gabriel", "Rafael", "Daniel", "Marcelo", "Bruno", "Eduardo",
           "Felipe", "Raimundo", "Rodrigo", "Sérgio", "Fernando", "Gustavo", "André", "Ricardo",
           "Thiago", "Leandro", "Márcio", "Fábio", "Roberto", "Cláudio", "Vinícius", "Diego"]
FIRST_F = ["Maria", "Ana", "Francisca", "Antônia", "Adriana", "Juliana", "Márcia", "Fernanda",
           "Patrícia", "Aline", "Sandra", "Camila", "Amanda", "Bruna", "Jéssica", "Letícia",
           "Júlia", "Luciana", "Vanessa", "Mariana", "Gabriela", "Vera", "Simone", "Cristiane",
           "Débora", "Tatiane", "Renata", "Cláudia", "Beatriz", "Larissa", "Conceição"]
SURNAMES = ["Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira",
            "Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes",
            "Soares", "Fernandes", "Vieira", "Barbosa", "Rocha", "Dias", "Nascimento",
            "Andrade", "Moreira", "Nunes", "Marques", "Machado", "Mendes", "Freitas", "Cardoso",
            "Ramos", "Gonçalves", "Santana", "Teixeira", "Araújo", "Pinto", "Correia", "Moura",
            "Cavalcanti", "Monteiro", "Batista", "Campos", "Schmidt", "Müller", "Becker",
            "Zanella", "Rossi", "Tanaka", "Yamamoto", "Kowalski", "Conceição", "Magalhães"]
PARTICLE = {"Silva": "da ", "Santos": "dos ", "Souza": "de ", "Oliveira": "de ",
            "Conceição": "da ", "Nascimento": "do ", "Costa": "da ", "Almeida": "de ",
            "Freitas": "de ", "Andrade": "de ", "Assis": "de ", "Jesus": "de ", "Paula": "de "}
BIZ_A = ["Construtora", "Comercial", "Materiais de Construção", "Depósito", "Casa das Tintas",
         "Ferragens", "Elétrica", "Hidráulica", "Madeireira", "Distribuidora", "Engenharia",
         "Reformas", "Acabamentos", "Home Center", "Armazém", "Metalúrgica", "Serralheria",
         "Vidraçaria", "Marmoraria", "Empreiteira"]
BIZ_B = ["Horizonte", "Progresso", "São Jorge", "Santa Luzia", "Nova Era", "Brasil", "Central",
         "do Vale", "Real", "Aliança", "Pioneira", "Bandeirante", "Litoral", "Serrana",
         "Paulista", "Gaúcha", "Mineira", "Catarinense", "Ipiranga", "Primavera", "Estrela",
         "Triângulo", "Boa Vista", "Três Irmãos", "Atlântico", "Monte Alegre", "Itaú", "Tupã"]
BIZ_SUFFIX = ["Ltda", "Ltda", "Ltda ME", "EIRELI", "S/A", "Ltda EPP", "ME"]
STREETS = ["Rua", "Rua", "Rua", "Avenida", "Avenida", "Travessa", "Rodovia", "Alameda"]
STREET_NAMES = ["XV de Novembro", "Sete de Setembro", "Tiradentes", "Dom Pedro II",
                "Marechal Deodoro", "Barão do Rio Branco", "Getúlio Vargas", "das Flores",
                "Brasil", "Santos Dumont", "Castelo Branco", "João Pessoa", "Rui Barbosa",
                "Presidente Vargas", "das Palmeiras", "Independência", "São João",
                "Duque de Caxias", "Floriano Peixoto", "Visconde de Mauá", "Paraná",
                "Amazonas", "Bahia", "Anita Garibaldi", "Padre Anchieta", "Osvaldo Cruz"]
BAIRROS = ["Centro", "Centro", "Vila Nova", "Jardim América", "São Cristóvão", "Boa Vista",
           "Industrial", "Distrito Industrial", "Santa Cruz", "Vila Operária", "Bela Vista",
           "Jardim das Flores", "Água Verde", "Batel", "Cidade Alta", "Zona Norte", "Campo Belo",
           "Jardim Paulista", "Santo Antônio", "São José", "Liberdade", "Portão"]

# (parent group, [(child group, ["DESCRIPTION TEMPLATE|UNIT|typical price in reais"])])
PRODUCT_GROUPS: list[tuple[str, list[tuple[str, list[str]]]]] = [
    ("MATERIAL BÁSICO", [
        ("CIMENTO E ARGAMASSA", ["CIMENTO CP II {a} 50KG|SC|38", "ARGAMASSA AC{b} {a} 20KG|SC|22",
                                 "CAL HIDRATADA {a} 20KG|SC|16", "REJUNTE FLEXIVEL {c} 1KG|KG|9"]),
        ("AREIA E PEDRA", ["AREIA MEDIA LAVADA {a}|M3|160", "PEDRA BRITA {b} {a}|M3|190"]),
        ("BLOCOS E TIJOLOS", ["BLOCO CERAMICO {d} {a}|UN|2", "TIJOLO MACICO {a}|UN|1",
                              "BLOCO CONCRETO {d} {a}|UN|4"]),
        ("AÇO E FERRO", ["VERGALHAO CA50 {e} 12M {a}|BR|45", "ARAME RECOZIDO {b} 1KG {a}|KG|19",
                         "TELA SOLDADA {d} {a}|PC|120"]),
    ]),
    ("HIDRÁULICA", [
        ("TUBOS E CONEXÕES", ["TUBO PVC SOLDAVEL {f} 6M {a}|BR|35", "JOELHO 90 PVC {f} {a}|PC|3",
                              "TE PVC SOLDAVEL {f} {a}|PC|4", "LUVA PVC {f} {a}|PC|2"]),
        ("REGISTROS E VÁLVULAS", ["REGISTRO GAVETA {g} {a}|PC|65",
                                  "VALVULA DESCARGA {g} {a}|PC|180"]),
        ("LOUÇAS E METAIS", ["BACIA SANITARIA {c} {a}|PC|320", "TORNEIRA {c} {g} {a}|PC|110",
                             "CHUVEIRO ELETRICO {h} {a}|PC|95"]),
        ("CAIXAS D'ÁGUA", ["CAIXA D'AGUA {i}L {a}|PC|420"]),
    ]),
    ("ELÉTRICA", [
        ("FIOS E CABOS", ["CABO FLEXIVEL {j} 100M {c} {a}|RL|260",
                          "FIO RIGIDO {j} 100M {c} {a}|RL|240"]),
        ("INTERRUPTORES E TOMADAS", ["INTERRUPTOR SIMPLES {c} {a}|PC|12",
                                     "TOMADA 2P+T {k} {a}|PC|14", "ESPELHO 4X2 {c} {a}|PC|5"]),
        ("ILUMINAÇÃO", ["LAMPADA LED {l} BIVOLT {a}|UN|14", "LUMINARIA PLAFON {l} {a}|PC|60",
                        "REFLETOR LED {l} {a}|PC|90"]),
        ("DISJUNTORES", ["DISJUNTOR DIN {m} {a}|PC|25", "QUADRO DISTRIBUICAO {d} {a}|PC|150"]),
    ]),
    ("TINTAS", [
        ("TINTAS ACRÍLICAS", ["TINTA ACRILICA {c} 18L {a}|LT|390",
                              "TINTA ACRILICA {c} 3,6L {a}|LT|110"]),
        ("ESMALTES E VERNIZES", ["ESMALTE SINTETICO {c} 3,6L {a}|LT|130",
                                 "VERNIZ {c} 900ML {a}|LT|55"]),
        ("ACESSÓRIOS DE PINTURA", ["ROLO LA {n} {a}|PC|30", "PINCEL {n} {a}|PC|12",
                                   "LIXA {b} {a}|UN|2"]),
    ]),
    ("FERRAGENS E FERRAMENTAS", [
        ("FIXAÇÃO", ["PARAFUSO SEXTAVADO {o} ZINC CX100 {a}|CX|48",
                     "BUCHA NYLON {o} CX100 {a}|CX|15", "PREGO {o} 1KG {a}|KG|18"]),
        ("FERRAMENTAS MANUAIS", ["MARTELO {n} {a}|PC|45", "ALICATE UNIVERSAL {n} {a}|PC|40",
                                 "CHAVE FENDA {o} {a}|PC|15", "TRENA {n} {a}|PC|35"]),
        ("FERRAMENTAS ELÉTRICAS", ["FURADEIRA IMPACTO {p} {a}|PC|380",
                                   "ESMERILHADEIRA {p} {a}|PC|420",
                                   "SERRA CIRCULAR {p} {a}|PC|650"]),
        ("FECHADURAS", ["FECHADURA EXTERNA {c} {a}|PC|110", "CADEADO {n} {a}|PC|40",
                        "DOBRADICA {n} {a}|PC|12"]),
    ]),
    ("ACABAMENTO", [
        ("PISOS E REVESTIMENTOS", ["PISO CERAMICO {q} {c} {a}|M2|45",
                                   "PORCELANATO {q} {c} {a}|M2|95",
                                   "REVESTIMENTO PAREDE {q} {c} {a}|M2|55"]),
        ("PORTAS E JANELAS", ["PORTA MADEIRA {r} {a}|PC|380", "JANELA ALUMINIO {d} {a}|PC|690"]),
        ("IMPERMEABILIZANTES", ["IMPERMEABILIZANTE {c} 18L {a}|LT|310",
                                "MANTA ASFALTICA {n} {a}|RL|280"]),
    ]),
]
FILL = {
    "b": ["I", "II", "III", "N1", "N2", "18", "12", "100", "150", "220"],
    "c": ["BRANCO", "CINZA", "PRETO", "AZUL", "VERMELHO", "MARFIM", "GELO", "ACETINADO",
          "FOSCO", "BRILHANTE", "PALHA", "AREIA", "CROMADO"],
    "d": ["9X19X39", "14X19X39", "11,5X14X24", "15X30", "12 DISJ", "24 DISJ", "1,00X1,20",
          "1,20X1,00", "2X2 M"],
    "e": ["5MM", "6,3MM", "8MM", "10MM", "12,5MM", "16MM"],
    "f": ["20MM", "25MM", "32MM", "40MM", "50MM", "75MM", "100MM"],
    "g": ["1/2", "3/4", "1", "1.1/2", "PAREDE", "BANCADA"],
    "h": ["4600W 127V", "5500W 220V", "6800W 220V", "7500W 220V"],
    "i": ["310", "500", "750", "1000", "2000"],
    "j": ["1,5MM", "2,5MM", "4MM", "6MM", "10MM"],
    "k": ["10A", "20A"],
    "l": ["9W", "12W", "15W", "18W", "24W", "50W", "100W"],
    "m": ["MONO 10A", "MONO 16A", "MONO 20A", "MONO 32A", "BIP 40A", "TRIP 63A"],
    "n": ["PEQUENO", "MEDIO", "GRANDE", "23CM", "9CM", "5M", "3M", "25MM", "50MM", "PROF"],
    "o": ["3/16", "1/4", "5/16", "3/8", "6MM", "8MM", "10MM", "17X21", "18X27"],
    "p": ["650W", "710W", "750W", "1200W", "1400W", "1800W"],
    "q": ["45X45", "60X60", "61X61", "90X90", "32X57", "20X20"],
    "r": ["60X210", "70X210", "80X210", "90X210"],
}
BRANDS = ["VOTORAN", "ITAMBE", "QUARTZOLIT", "TIGRE", "AMANCO", "DECA", "DOCOL", "LORENZETTI",
          "FORTLEV", "SIL", "PIAL", "TRAMONTINA", "PHILIPS", "INTRAL", "STEINEL", "SUVINIL",
          "CORAL", "SHERWIN", "ATLAS", "TIGRE", "CISER", "GERDAU", "BELGO", "VONDER",
          "STANLEY", "BOSCH", "MAKITA", "DEWALT", "PAPAIZ", "PADO", "PORTOBELLO", "ELIANE",
          "CEUSA", "SASAZAKI", "VEDACIT", "DENVER", "IGUACU", "ELGIN", "WEG", "SOPRANO"]
UNITS = [("UN", "Unidade", "N"), ("PC", "Peça", "N"), ("CX", "Caixa", "N"),
         ("SC", "Saco", "N"), ("M2", "Metro quadrado", "S"), ("M3", "Metro cúbico", "S"),
         ("KG", "Quilograma", "S"), ("RL", "Rolo", "N"), ("LT", "Lata", "N"),
         ("BR", "Barra", "N")]
BANKS = [("001", "Banco do Brasil"), ("033", "Santander"), ("104", "Caixa Econômica Federal"),
         ("237", "Bradesco"), ("341", "Itaú Unibanco"), ("748", "Sicredi"), ("756", "Sicoob"),
         ("077", "Banco Inter"), ("260", "Nu Pagamentos"), ("422", "Banco Safra")]
CFOPS = [("5102", "Venda de mercadoria adquirida de terceiros (dentro do estado)", "S"),
         ("6102", "Venda de mercadoria adquirida de terceiros (fora do estado)", "S"),
         ("5405", "Venda de mercadoria com ST (dentro do estado)", "S"),
         ("5152", "Transferência de mercadoria entre filiais (dentro do estado)", "S"),
         ("6152", "Transferência de mercadoria entre filiais (fora do estado)", "S"),
         ("5202", "Devolução de compra para comercialização", "S"),
         ("5949", "Outra saída de mercadoria não especificada", "S"),
         ("1102", "Compra para comercialização (dentro do estado)", "E"),
         ("2102", "Compra para comercialização (fora do estado)", "E"),
         ("1202", "Devolução de venda de mercadoria (dentro do estado)", "E"),
         ("2202", "Devolução de venda de mercadoria (fora do estado)", "E"),
         ("1152", "Transferência recebida de filial", "E"),
         ("1556", "Compra de material para uso ou consumo", "E"),
         ("1949", "Outra entrada não especificada", "E")]
CONDPAG = [(1, "À VISTA", 1, "0", "S"), (2, "30 DIAS", 1, "30", "N"),
           (3, "30/60", 2, "30/60", "N"), (4, "30/60/90", 3, "30/60/90", "N"),
           (5, "28 DIAS", 1, "28", "N"), (6, "28/56/84", 3, "28/56/84", "N"),
           (7, "ENTRADA + 30", 2, "0/30", "S"), (8, "ENTRADA + 30/60", 3, "0/30/60", "S"),
           (9, "15 DIAS", 1, "15", "N"), (10, "45 DIAS", 1, "45", "N"),
           (11, "30/45/60/75/90", 5, "30/45/60/75/90", "N"),
           (12, "10X CARTÃO", 10, "30/60/90/120/150/180/210/240/270/300", "N")]
DEPTOS = ["DIRETORIA", "COMERCIAL", "COMPRAS", "LOGÍSTICA", "FINANCEIRO", "CONTABILIDADE",
          "RECURSOS HUMANOS", "TI", "FISCAL", "EXPEDIÇÃO", "ATENDIMENTO", "MANUTENÇÃO"]
CARGOS = [("DIRETOR", "121005", 2500000), ("GERENTE COMERCIAL", "142305", 1400000),
          ("GERENTE DE FILIAL", "141405", 1200000), ("COORDENADOR", "141205", 900000),
          ("VENDEDOR INTERNO", "521110", 260000), ("VENDEDOR EXTERNO", "354705", 300000),
          ("REPRESENTANTE", "354705", 220000), ("COMPRADOR", "354205", 420000),
          ("ANALISTA FINANCEIRO", "252525", 550000), ("AUXILIAR FINANCEIRO", "413110", 250000),
          ("CONTADOR", "252210", 750000), ("ASSISTENTE CONTÁBIL", "413105", 300000),
          ("ANALISTA DE RH", "252405", 480000), ("ANALISTA DE SISTEMAS", "212405", 720000),
          ("SUPORTE TÉCNICO", "317210", 320000), ("ASSISTENTE FISCAL", "413105", 310000),
          ("CONFERENTE", "414215", 220000), ("ESTOQUISTA", "414105", 195000),
          ("MOTORISTA", "782510", 260000), ("AJUDANTE DE CARGA", "783225", 160000),
          ("OPERADOR DE EMPILHADEIRA", "782220", 240000), ("RECEPCIONISTA", "422105", 170000),
          ("ATENDENTE", "422310", 175000), ("ELETRICISTA DE MANUTENÇÃO", "951105", 290000),
          ("JOVEM APRENDIZ", "411005", 90000)]
EVENTOS = [(1, "SALÁRIO BASE", "P", "S"), (2, "HORAS EXTRAS 50%", "P", "S"),
           (3, "COMISSÃO", "P", "S"), (4, "ADICIONAL NOTURNO", "P", "S"),
           (5, "DSR SOBRE HORAS EXTRAS", "P", "S"), (6, "SALÁRIO FAMÍLIA", "P", "N"),
           (50, "INSS", "D", "N"), (51, "IRRF", "D", "N"), (52, "VALE TRANSPORTE", "D", "N"),
           (53, "PLANO DE SAÚDE", "D", "N"), (54, "ADIANTAMENTO QUINZENAL", "D", "N"),
           (55, "FALTAS", "D", "S")]
# (code, description, type S/A, nature D/C)
PLANO: list[tuple[str, str, str, str]] = [
    ("1", "ATIVO", "S", "D"), ("1.1", "ATIVO CIRCULANTE", "S", "D"),
    ("1.1.01", "DISPONÍVEL", "S", "D"), ("1.1.01.001", "CAIXA GERAL", "A", "D"),
    ("1.1.01.002", "BANCOS CONTA MOVIMENTO", "A", "D"),
    ("1.1.01.003", "APLICAÇÕES FINANCEIRAS", "A", "D"),
    ("1.1.02", "CLIENTES", "S", "D"), ("1.1.02.001", "DUPLICATAS A RECEBER", "A", "D"),
    ("1.1.02.002", "CARTÕES A RECEBER", "A", "D"),
    ("1.1.02.003", "(-) PERDAS ESTIMADAS", "A", "C"),
    ("1.1.03", "ESTOQUES", "S", "D"), ("1.1.03.001", "MERCADORIAS PARA REVENDA", "A", "D"),
    ("1.1.04", "TRIBUTOS A RECUPERAR", "S", "D"), ("1.1.04.001", "ICMS A RECUPERAR", "A", "D"),
    ("1.1.04.002", "PIS/COFINS A RECUPERAR", "A", "D"),
    ("1.2", "ATIVO NÃO CIRCULANTE", "S", "D"), ("1.2.01", "IMOBILIZADO", "S", "D"),
    ("1.2.01.001", "VEÍCULOS", "A", "D"), ("1.2.01.002", "MÁQUINAS E EQUIPAMENTOS", "A", "D"),
    ("1.2.01.003", "MÓVEIS E UTENSÍLIOS", "A", "D"),
    ("1.2.01.004", "(-) DEPRECIAÇÃO ACUMULADA", "A", "C"),
    ("2", "PASSIVO", "S", "C"), ("2.1", "PASSIVO CIRCULANTE", "S", "C"),
    ("2.1.01", "FORNECEDORES", "S", "C"), ("2.1.01.001", "FORNECEDORES NACIONAIS", "A", "C"),
    ("2.1.02", "OBRIGAÇÕES TRABALHISTAS", "S", "C"),
    ("2.1.02.001", "SALÁRIOS A PAGAR", "A", "C"), ("2.1.02.002", "INSS A RECOLHER", "A", "C"),
    ("2.1.02.003", "FGTS A RECOLHER", "A", "C"), ("2.1.03", "OBRIGAÇÕES FISCAIS", "S", "C"),
    ("2.1.03.001", "ICMS A RECOLHER", "A", "C"), ("2.1.03.002", "PIS/COFINS A RECOLHER", "A", "C"),
    ("2.1.04", "EMPRÉSTIMOS", "S", "C"), ("2.1.04.001", "EMPRÉSTIMOS BANCÁRIOS", "A", "C"),
    ("2.3", "PATRIMÔNIO LÍQUIDO", "S", "C"), ("2.3.01", "CAPITAL SOCIAL", "A", "C"),
    ("2.3.02", "LUCROS ACUMULADOS", "A", "C"),
    ("3", "RECEITAS", "S", "C"), ("3.1", "RECEITA OPERACIONAL", "S", "C"),
    ("3.1.01", "VENDAS", "S", "C"), ("3.1.01.001", "VENDA DE MERCADORIAS", "A", "C"),
    ("3.1.01.002", "(-) DEVOLUÇÕES DE VENDAS", "A", "D"),
    ("3.1.01.003", "(-) ICMS SOBRE VENDAS", "A", "D"),
    ("3.2", "RECEITAS FINANCEIRAS", "S", "C"), ("3.2.01", "JUROS RECEBIDOS", "A", "C"),
    ("3.2.02", "DESCONTOS OBTIDOS", "A", "C"),
    ("4", "CUSTOS E DESPESAS", "S", "D"), ("4.1", "CUSTO DAS MERCADORIAS", "S", "D"),
    ("4.1.01", "CMV", "A", "D"), ("4.2", "DESPESAS OPERACIONAIS", "S", "D"),
    ("4.2.01", "DESPESAS COM PESSOAL", "S", "D"), ("4.2.01.001", "SALÁRIOS", "A", "D"),
    ("4.2.01.002", "ENCARGOS SOCIAIS", "A", "D"), ("4.2.01.003", "COMISSÕES", "A", "D"),
    ("4.2.02", "DESPESAS ADMINISTRATIVAS", "S", "D"), ("4.2.02.001", "ALUGUÉIS", "A", "D"),
    ("4.2.02.002", "ENERGIA ELÉTRICA", "A", "D"), ("4.2.02.003", "TELEFONE E INTERNET", "A", "D"),
    ("4.2.02.004", "MATERIAL DE ESCRITÓRIO", "A", "D"), ("4.2.02.005", "ÁGUA E ESGOTO", "A", "D"),
    ("4.2.03", "DESPESAS COMERCIAIS", "S", "D"), ("4.2.03.001", "FRETES E CARRETOS", "A", "D"),
    ("4.2.03.002", "COMBUSTÍVEIS", "A", "D"), ("4.2.03.003", "PROPAGANDA", "A", "D"),
    ("4.3", "DESPESAS FINANCEIRAS", "S", "D"), ("4.3.01", "JUROS PAGOS", "A", "D"),
    ("4.3.02", "TARIFAS BANCÁRIAS", "A", "D"), ("4.3.03", "DESCONTOS CONCEDIDOS", "A", "D"),
]
# Branches: (code, city, UF, fantasy name)
FILIAIS = [(1, "São Paulo", "SP", "MATRIZ SP"), (2, "Campinas", "SP", "FILIAL CAMPINAS"),
           (3, "Curitiba", "PR", "FILIAL CURITIBA"), (4, "Joinville", "SC", "FILIAL JOINVILLE"),
           (5, "Porto Alegre", "RS", "FILIAL POA"), (6, "Belo Horizonte", "MG", "FILIAL BH")]
FORMAS = ["BL", "BL", "BL", "BL", "PX", "PX", "DN", "CC", "TR", "CH"]


# ---------------------------------------------------------------- helpers
class Gen:
    """All generated tables, built step by step from one seeded RNG."""

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.tables: dict[str, TableData] = {}
        self._docs: set[str] = set()
        # Side products of one step that a later step needs.
        self.sale_moves: list[tuple[int, int, datetime, int, int]] = []
        self.buy_moves: list[tuple[int, int, datetime, int, int, int]] = []
        self.nf_lanc: list[tuple[date, int, int]] = []

    def table(self, name: str, columns: str) -> TableData:
        data = TableData(name, [c.strip() for c in columns.split(",")])
        self.tables[name] = data
        return data

    # -- documents and contacts
    def _digits(self, n: int) -> list[int]:
        return [self.r.randrange(10) for _ in range(n)]

    @staticmethod
    def _check(digits: list[int], weights: list[int]) -> int:
        rest = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        return 0 if rest < 2 else 11 - rest

    def cpf(self) -> str:
        while True:
            d = self._digits(9)
            d.append(self._check(d, list(range(10, 1, -1))))
            d.append(self._check(d, list(range(11, 1, -1))))
            s = "".join(map(str, d))
            text = f"{s[:3]}.{s[3:6]}.{s[6:9]}-{s[9:]}"
            if text not in self._docs:
                self._docs.add(text)
                return text

    def cnpj(self) -> str:
        while True:
            d = [*self._digits(8), 0, 0, 0, self.r.choice([1, 1, 1, 2])]
            d.append(self._check(d, [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]))
            d.append(self._check(d, [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]))
            s = "".join(map(str, d))
            text = f"{s[:2]}.{s[2:5]}.{s[5:8]}/{s[8:12]}-{s[12:]}"
            if text not in self._docs:
                self._docs.add(text)
                return text

    def phone(self, ddd: int, mobile: bool | None = None) -> str:
        if mobile is None:
            mobile = self.r.random() < 0.5
        if mobile:
            return f"({ddd}) 9{self.r.randint(6000, 9999)}-{self.r.randint(0, 9999):04d}"
        return f"({ddd}) {self.r.randint(2000, 5999)}-{self.r.randint(0, 9999):04d}"

    def cep(self) -> str:
        return f"{self.r.randint(1000, 99999):05d}-{self.r.randint(0, 999):03d}"

    def street(self) -> str:
        return f"{self.r.choice(STREETS)} {self.r.choice(STREET_NAMES)}"

    def person(self, female: bool | None = None) -> str:
        if female is None:
            female = self.r.random() < 0.45
        first = self.r.choice(FIRST_F if female else FIRST_M)
        middle = self.r.choice(SURNAMES)
        last = self.r.choice(SURNAMES)
        if self.r.random() < 0.3:
            return f"{first} {last}"
        link = PARTICLE.get(middle, "") if self.r.random() < 0.6 else ""
        return f"{first} {link}{middle} {last}"

    def company(self) -> str:
        r = self.r
        if r.random() < 0.3:
            return f"{r.choice(BIZ_A)} {r.choice(SURNAMES)} {r.choice(BIZ_SUFFIX)}"
        if r.random() < 0.5:
            return f"{r.choice(BIZ_A)} {r.choice(BIZ_B)} {r.choice(BIZ_SUFFIX)}"
        a, b = r.sample(SURNAMES, 2)
        return f"{a} & {b} {r.choice(BIZ_A)} {r.choice(BIZ_SUFFIX)}"

    def day(self, lo: date = START, hi: date = END) -> date:
        return lo + timedelta(days=self.r.randrange((hi - lo).days + 1))

    def moment(self, d: date) -> datetime:
        minutes = self.r.randint(7 * 60, 18 * 60 + 30)
        return datetime(d.year, d.month, d.day, minutes // 60, minutes % 60,
                        self.r.randrange(60))


def _ddd(uf: str) -> int:
    return {"SP": 11, "PR": 41, "SC": 47, "RS": 51, "MG": 31, "RJ": 21}.get(uf, 61)


def _months(first: date, last: date) -> Iterator[tuple[int, int]]:
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


# ---------------------------------------------------------------- the build
def generate(seed: int) -> list[TableData]:
    """All demo rows for `seed`, tables in an order that satisfies the foreign keys."""
    g = Gen(seed)
    ref = _reference(g)
    hr = _people(g, ref)
    stock = _products(g)
    sales = _customers(g, ref, hr)
    _orders(g, ref, sales, stock)
    _purchases(g, ref, stock)
    _stock(g, stock)
    _finance(g, ref)
    _payroll(g, hr)
    _system(g, hr, sales)
    return list(g.tables.values())


@dataclass
class Ref:
    cities: list[tuple[int, str, str]]  # (code, name, uf)
    city_weights: list[float]  # cumulative, for r.choices(cum_weights=...)
    city_by_name: dict[tuple[str, str], int]
    uf_of_city: dict[int, str]
    fil_uf: dict[int, str]
    transp: list[int]


def _reference(g: Gen) -> Ref:
    r = g.r
    t = g.table("TB_UF", "UF_SIGLA, UF_NOME, UF_REGIAO, COD_IBGE")
    t.rows = [tuple(u) for u in UFS]
    cities: list[tuple[int, str, str]] = []
    weights: list[float] = []
    t = g.table("CAD_CID", "CID_COD, CID_NOME, UF_SIGLA, COD_IBGE")
    for uf, _, _, ibge in UFS:
        for k, name in enumerate(CITIES[uf]):
            code = len(cities) + 1
            cities.append((code, name, uf))
            # Capitals (listed first) weigh more.
            weights.append(UF_WEIGHT.get(uf, 0.4) / (k + 1.5))
            t.rows.append((code, name, uf, ibge * 100000 + (k + 1) * 487 % 99999))
    cum_city = list(accumulate(weights))
    by_name = {(name, uf): code for code, name, uf in cities}
    uf_of = {code: uf for code, _, uf in cities}

    t = g.table("CAD_FIL", "FIL_COD, FIL_RAZAO, FIL_NOMFAN, FIL_CNPJ, FIL_IE, FIL_END, CID_COD, "
                "FIL_FONE, MATRIZ")
    root = g.cnpj()[:10]
    for code, city, uf, fan in FILIAIS:
        cnpj = f"{root}{code:04d}-{r.randint(10, 99)}"
        t.rows.append((code, "SISCOM MATERIAIS DE CONSTRUÇÃO LTDA", fan, cnpj,
                       str(r.randint(10**8, 10**9)), f"{g.street()}, {r.randint(10, 3000)}",
                       by_name[(city, uf)], g.phone(_ddd(uf), False), "S" if code == 1 else "N"))
    fil_uf = {code: uf for code, _, uf, _ in FILIAIS}

    t = g.table("CAD_TRANSP", "TRA_COD, TRA_NOMRAZ, TRA_CNPJ, TRA_ANTT, CID_COD, TRA_FONE, "
                "SITUACAO")
    for code in range(1, 26):
        city = r.choices(cities, cum_weights=cum_city)[0]
        name = f"Transportes {r.choice(BIZ_B)} {r.choice(['Ltda', 'Ltda', 'EIRELI', 'S/A'])}"
        if code % 4 == 0:
            name = f"{r.choice(SURNAMES)} Logística {r.choice(['Ltda', 'ME'])}"
        t.rows.append((code, name, g.cnpj(), f"{r.randint(10**7, 10**8)}", city[0],
                       g.phone(_ddd(city[2])), r.choices("AIB", [80, 15, 5])[0]))
    t = g.table("TB_CONDPAG", "CPG_COD, CPG_DESCR, CPG_NPARC, CPG_DIAS, CPG_ENTRADA")
    t.rows = [tuple(c) for c in CONDPAG]
    t = g.table("TB_TABPRECO", "TPR_COD, TPR_DESCR, DT_INI, DT_FIM, ATIVO")
    t.rows = [(1, "VAREJO", date(2019, 1, 1), None, "S"),
              (2, "ATACADO", date(2019, 1, 1), None, "S"),
              (3, "CONSTRUTORAS", date(2020, 3, 1), None, "S"),
              (4, "PROMOÇÃO BLACK FRIDAY 2022", date(2022, 11, 20), date(2022, 11, 30), "N")]
    g.table("TB_CFOP", "CFOP, DESCRICAO, TP_OPER").rows = [tuple(c) for c in CFOPS]
    g.table("TB_BANCO", "BCO_COD, BCO_NOME").rows = [tuple(b) for b in BANKS]
    g.table("TB_UNID", "UND_SIGLA, UND_DESCR, FRACIONA").rows = [tuple(u) for u in UNITS]
    return Ref(cities, cum_city, by_name, uf_of, fil_uf, list(range(1, 26)))


@dataclass
class People:
    employees: list[tuple[int, date, date | None, int, int, int]]  # mat, adm, dem, salary, dep, crg
    sellers: list[int]
    seller_fil: dict[int, int]


def _people(g: Gen, ref: Ref) -> People:
    r = g.r
    g.table("RH_DEPTO", "DEP_COD, DEP_NOME").rows = [(i + 1, d) for i, d in enumerate(DEPTOS)]
    g.table("TB_CARGO", "CRG_COD, CRG_DESCR, CBO, SAL_BASE").rows = [
        (i + 1, name, cbo, money(sal)) for i, (name, cbo, sal) in enumerate(CARGOS)]
    t = g.table("CAD_FUNC", "FUN_MAT, FUN_NOME, FUN_CPF, SEXO, EST_CIVIL, DT_NASC, DT_ADM, "
                "DT_DEM, CRG_COD, DEP_COD, FIL_COD, FUN_GESTOR, SALARIO, SITUACAO, FUN_FONE")
    employees: list[tuple[int, date, date | None, int, int, int]] = []
    dept_heads: dict[tuple[int, int], int] = {}
    # (cargo, depto, count per branch or total); bosses first so FUN_GESTOR points back.
    plan: list[tuple[int, int, int]] = [(1, 1, 0)] * 3
    for fil in range(1, 7):
        plan.append((3, 2, fil))
    for fil in range(1, 7):
        for crg, dep, n in [(5, 2, 5), (6, 2, 3), (7, 2, 1), (17, 10, 3), (18, 4, 4),
                            (19, 4, 3), (20, 10, 4), (21, 4, 1), (23, 11, 3), (22, 11, 1)]:
            plan.extend([(crg, dep, fil)] * n)
    central = [(2, 2, 1), (4, 3, 1), (8, 3, 4), (9, 5, 3), (10, 5, 6), (11, 6, 2), (12, 6, 4),
               (13, 7, 3), (14, 8, 4), (15, 8, 3), (16, 9, 4), (4, 5, 1), (4, 7, 1), (4, 8, 1),
               (24, 12, 3), (25, 11, 4)]
    for crg, dep, n in central:
        plan.extend([(crg, dep, 1)] * n)
    # Turnover: people who left were replaced by others in the same role.
    plan.extend(r.choice(plan[9:]) for _ in range(150))
    mat = 1000
    for crg, dep, fil in plan:
        mat += r.randint(1, 3)
        fil = fil or 1
        female = r.random() < 0.42
        adm = g.day(date(2005, 1, 1), date(2024, 3, 1)) if mat > 1010 else date(2003, 5, 2)
        dem: date | None = None
        if r.random() < 0.28 and crg not in (1, 3):
            lo = max(adm + timedelta(days=90), START)
            dem = g.day(lo, END) if lo < END else None
        situ = "D" if dem else r.choices("AFL", [90, 7, 3])[0]
        base = CARGOS[crg - 1][2]
        salary = base + r.randint(0, base // 3) // 100 * 100
        if crg == 1:
            boss = employees[0][0] if employees else None
        elif crg in (2, 3) or (crg == 4 and fil == 1):
            boss = employees[r.randrange(3)][0]
        else:
            boss = dept_heads.get((dep, fil)) or dept_heads.get((2, fil)) or employees[0][0]
        if crg in (2, 3, 4):
            dept_heads.setdefault((dep, fil), mat)
            if crg == 3:
                dept_heads.setdefault((2, fil), mat)
        born = g.day(date(1962, 1, 1), date(2005, 12, 31))
        t.rows.append((mat, g.person(female).upper(), g.cpf(), "F" if female else "M",
                       r.choices("SCDVU", [35, 45, 10, 2, 8])[0], born, adm, dem, crg, dep, fil,
                       boss, money(salary), situ, g.phone(_ddd(ref.fil_uf[fil]), True)))
        employees.append((mat, adm, dem, salary, dep, crg))
    t = g.table("RH_DEPENDENTE", "FUN_MAT, DEP_SEQ, DEP_NOME, PARENTESCO, DT_NASC, IRRF")
    for row in g.tables["CAD_FUNC"].rows:
        if row[4] in ("C", "U") and r.random() < 0.7:
            t.rows.append((row[0], 1, g.person(row[3] == "M").upper(), "C",
                           g.day(date(1965, 1, 1), date(2000, 1, 1)), "S"))
        for k in range(r.choice([0, 0, 1, 1, 2, 3])):
            t.rows.append((row[0], k + 2, g.person().upper(), "F",
                           g.day(date(2000, 1, 1), date(2023, 12, 31)), r.choice("SN")))

    sellers: list[int] = []
    seller_fil: dict[int, int] = {}
    t = g.table("CAD_VEND", "VEN_COD, VEN_NOME, FUN_MAT, FIL_COD, COMISSAO, TP_VEND, SITUACAO")
    func_rows = [row for row in g.tables["CAD_FUNC"].rows if row[8] in (5, 6)]
    for code in range(1, 41):
        if code <= len(func_rows) and code <= 34:
            row = func_rows[code - 1]
            name, mat_, fil, tp = str(row[1]), row[0], int(row[10]), "I" if row[8] == 5 else "E"
            situ = "I" if row[13] == "D" else "A"
        else:  # representatives are not employees
            name, mat_, fil, tp = g.person().upper(), None, r.randint(1, 6), "R"
            situ = r.choices("AI", [80, 20])[0]
        t.rows.append((code, name, mat_, fil, f"{r.choice([1, 1.5, 2, 2.5, 3, 5]):.2f}", tp,
                       situ))
        sellers.append(code)
        seller_fil[code] = fil
    return People(employees, sellers, seller_fil)


@dataclass
class Stock:
    products: list[tuple[int, int, int]]  # code, cost cents, price cents
    weights: list[float]  # cumulative


def _products(g: Gen) -> Stock:
    r = g.r
    t = g.table("TB_GRUPO_PRO", "GRP_COD, GRP_DESCR, GRP_PAI")
    leaves: list[tuple[int, list[str]]] = []
    for i, (parent, children) in enumerate(PRODUCT_GROUPS):
        pcode = (i + 1) * 10
        t.rows.append((pcode, parent, None))
        for k, (child, templates) in enumerate(children):
            t.rows.append((pcode + k + 1, child, pcode))
            leaves.append((pcode + k + 1, templates))
    g.table("TB_MARCA", "MAR_COD, MAR_NOME").rows = [
        (i + 1, b) for i, b in enumerate(dict.fromkeys(BRANDS))]
    n_brands = len(g.tables["TB_MARCA"].rows)

    t = g.table("CAD_PRO", "PRO_COD, PRO_DESCR, PRO_REF, COD_BARRAS, GRP_COD, MAR_COD, "
                "UND_SIGLA, NCM, PRO_PESO, PRO_CUSTO, PRO_PRECO, FOR_COD, CONTROLA_LOTE, DT_CAD, "
                "SITUACAO, PRO_OBS")
    seen: set[str] = set()
    products: list[tuple[int, int, int]] = []
    weights: list[float] = []
    code = 0
    while len(products) < 2000:
        grp, templates = r.choice(leaves)
        mar = r.randint(1, n_brands)
        brand = g.tables["TB_MARCA"].rows[mar - 1][1]
        template, unit, typical = r.choice(templates).split("|")
        descr = template.format(a=brand, **{k: r.choice(v) for k, v in FILL.items()})
        if descr in seen:
            continue
        seen.add(descr)
        code += 1
        cost = max(50, int(int(typical) * 100 * r.lognormvariate(-0.35, 0.3)))
        price = cost * r.randint(135, 190) // 100
        ean = f"789{r.randint(10**8, 10**9 - 1)}"
        ean += str((10 - sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(ean)) % 10) % 10)
        obs = None
        if r.random() < 0.06:
            obs = r.choice(["Produto sob encomenda.", "Não vender abaixo do custo.",
                            "Substituído pelo código novo; manter para histórico.",
                            "Fornecedor com prazo de entrega longo.", "Frágil: embalar bem."])
        situ = r.choices("AIB", [88, 9, 3])[0]
        t.rows.append((code, descr, f"{brand[:3]}-{r.randint(1000, 99999)}", ean, grp, mar, unit,
                       f"{r.randint(25000000, 96999999)}", qty(r.randint(100, 50000)),
                       money(cost), money(price), r.randint(1, 300), r.choice("SNNNN"),
                       g.day(date(2008, 1, 1), date(2024, 5, 1)), situ, obs))
        products.append((code, cost, price))
        # A few products sell a lot (long tail).
        weights.append(0.0 if situ != "A" and r.random() < 0.5 else r.paretovariate(1.2))
    t = g.table("TB_TABPRECO_ITEM", "TPR_COD, PRO_COD, PRECO, PERC_DESC_MAX")
    for tpr, factor, disc in [(1, 100, 5), (2, 92, 10), (3, 88, 12), (4, 80, 0)]:
        for pcode, _, price in products:
            if tpr == 4 and r.random() < 0.8:
                continue
            t.rows.append((tpr, pcode, money(price * factor // 100), money(disc * 100)))
    return Stock(products, list(accumulate(weights)))


@dataclass
class Sales:
    customers: list[tuple[int, int, int, int]]  # code, city, condpag, tabpreco
    weights: list[float]  # cumulative


def _customers(g: Gen, ref: Ref, hr: People) -> Sales:
    r = g.r
    t = g.table("CAD_CLI", "CLI_COD, CLI_NOMRAZ, CLI_NOMFAN, TP_PES, CLI_CPFCNPJ, CLI_IE, "
                "CLI_END, CLI_NUM, CLI_BAIRRO, CID_COD, CLI_CEP, CLI_FONE, CLI_EMAIL, CLI_DTCAD, "
                "CLI_LIMCRED, COD_VEND, CPG_COD, TPR_COD, SITUACAO, CLI_OBS")
    customers: list[tuple[int, int, int, int]] = []
    weights: list[float] = []
    code = 0
    for _ in range(4000):
        code += r.choice([1, 1, 1, 1, 2])  # gaps: deleted customers
        city = r.choices(ref.cities, cum_weights=ref.city_weights)[0]
        pj = r.random() < 0.72
        if pj:
            name = g.company()
            fan = name.split(" Ltda")[0].split(" S/A")[0].split(" EIRELI")[0]
            fan = fan if len(fan) <= 40 else fan[:40].rstrip()
            doc, ie = g.cnpj(), str(r.randint(10**8, 10**12))
        else:
            name, fan, doc, ie = g.person(), None, g.cpf(), None
        situ = r.choices("AIB", [84, 11, 5])[0]
        vend: int | None = r.choice(hr.sellers)
        if r.random() < 0.03:
            vend = None
        elif r.random() < 0.01:
            vend = r.choice([41, 42, 57])  # sellers deleted long ago: orphan codes
        cpg = r.choices([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
                        [20, 15, 18, 12, 5, 5, 6, 4, 3, 3, 2, 7])[0]
        tpr = 3 if pj and "Constru" in name else 2 if pj and r.random() < 0.4 else 1
        email = None
        if r.random() < 0.75:
            base = (name.split()[0] + name.split()[-1]).lower()
            base = base.translate(str.maketrans("áàâãéêíóôõúüçñ", "aaaaeeiooouucn"))
            base = "".join(c for c in base if c.isalnum())
            email = f"{base}{r.randint(1, 99)}@{r.choice(['gmail.com', 'hotmail.com', 'uol.com.br', 'terra.com.br', 'yahoo.com.br', 'bol.com.br'])}"  # noqa: E501
        obs = None
        if r.random() < 0.08:
            obs = r.choice(["Cliente exige nota com pedido de compra.",
                            "Entregar somente pela manhã.", "Bloqueado por inadimplência em 2021.",
                            "Cobrar frete à parte.", "Contato com o financeiro: Sra. Márcia.",
                            "Cadastro migrado do sistema antigo (DOS)."])
        dtcad = g.day(date(2006, 1, 1), date(2024, 5, 31))
        limite = r.choice([0, 100000, 300000, 500000, 1000000, 2000000, 5000000]) if pj else \
            r.choice([0, 50000, 100000, 200000])
        t.rows.append((code, name.upper(), fan.upper() if fan else None, "J" if pj else "F", doc,
                       ie, g.street(), str(r.randint(1, 4999)) if r.random() < 0.95 else "S/N",
                       r.choice(BAIRROS), city[0], g.cep(), g.phone(_ddd(city[2])), email,
                       dtcad, money(limite), vend, cpg, tpr, situ, obs))
        customers.append((code, city[0], cpg, tpr))
        weights.append(0.05 if situ != "A" else r.paretovariate(1.5) * (3 if pj else 1))
    t = g.table("CAD_CLI_END", "CLI_COD, END_SEQ, TP_END, LOGRADOURO, BAIRRO, CID_COD, CEP")
    for code, city, _, _ in customers:
        if r.random() < 0.3:
            for seq in range(1, r.choice([2, 2, 2, 3])):
                c = city if r.random() < 0.7 else \
                    r.choices(ref.cities, cum_weights=ref.city_weights)[0][0]
                t.rows.append((code, seq, r.choice("EECR"),
                               f"{g.street()}, {r.randint(1, 4999)}", r.choice(BAIRROS), c,
                               g.cep()))
    t = g.table("TB_VEND_META", "VEN_COD, ANO, MES, VL_META")
    for vend in hr.sellers:
        base = r.randint(60, 250) * 100000
        for y, m in _months(START, END):
            t.rows.append((vend, y, m, money(base * r.randint(90, 115) // 100)))
    return Sales(customers, list(accumulate(weights)))


def _orders(g: Gen, ref: Ref, sales: Sales, stock: Stock) -> None:
    r = g.r
    n_orders = 36000
    # Dates first, sorted, so order numbers grow with time in each branch.
    growth = [1 + 0.35 * (d / DAYS) for d in range(DAYS)]  # the business grows
    day_idx = sorted(r.choices(range(DAYS), growth, k=n_orders))
    ped = g.table("MOV_PED", "FIL_COD, PED_NUM, CLI_COD, COD_VEND, DT_EMISSAO, DT_ENTREGA, "
                  "CPG_COD, TRA_COD, TP_FRETE, STATUS, VL_PROD, VL_DESC, VL_FRETE, VL_TOTAL, "
                  "DT_ALTERACAO, OBS")
    itm = g.table("MOV_PED_ITEM", "FIL_COD, PED_NUM, SEQ, PRO_COD, QTDE, VL_UNIT, PERC_DESC")
    nf = g.table("NF_CAB", "NF_ID, FIL_COD, NF_SERIE, NF_NUM, PED_NUM, CLI_COD, DT_EMI, CFOP, "
                 "VL_PROD, VL_ICMS, VL_IPI, VL_TOTAL, CHAVE_NFE, SITUACAO")
    nfi = g.table("NF_ITEM", "NF_ID, NF_SEQ, PRO_COD, QTDE, VL_UNIT, VL_TOTAL, ALIQ_ICMS, VL_ICMS")
    tit = g.table("CAR_TIT", "TIT_NUM, TIT_PARC, FIL_COD, CLI_COD, NF_ID, DT_EMI, DT_VENC, "
                  "DT_PGTO, VL_TIT, VL_PAGO, VL_JUROS, PORTADOR, TP_COB, SITUACAO")
    bx = g.table("CAR_BAIXA", "TIT_NUM, TIT_PARC, BX_SEQ, DT_BAIXA, VL_BAIXA, VL_JUROS, VL_DESC, "
                 "FORMA, USR_ID")
    next_ped = dict.fromkeys(range(1, 7), 0)
    next_nf = dict.fromkeys(range(1, 7), 0)
    nf_id = tit_num = 0
    vend_of = {row[0]: row[15] for row in g.tables["CAD_CLI"].rows}
    cust_fil: dict[int, int] = {}
    fil_of_uf = {"SP": [1, 1, 2], "PR": [3], "SC": [4], "RS": [5], "MG": [6]}
    recent = END - timedelta(days=45)
    dias = {c[0]: [int(x) for x in c[3].split("/")] for c in CONDPAG}
    prods, pweights = stock.products, stock.weights
    uf_ibge = {u[0]: u[3] for u in UFS}
    fil_cnpj = {int(row[0]): "".join(c for c in str(row[3]) if c.isdigit())
                for row in g.tables["CAD_FIL"].rows}
    for di in day_idx:
        d = START + timedelta(days=di)
        cli, city, cpg, tpr = r.choices(sales.customers, cum_weights=sales.weights)[0]
        fil = cust_fil.get(cli)
        if fil is None:
            fil = r.choice(fil_of_uf.get(ref.uf_of_city[city], [1, 1, 3]))
            cust_fil[cli] = fil
        next_ped[fil] += 1
        pnum = next_ped[fil]
        vend = vend_of[cli] if r.random() < 0.9 else r.randint(1, 40)
        if d < recent:
            status = r.choices([3, 2, 9, 1], [84, 6, 9, 1])[0]
        else:
            status = r.choices([0, 1, 2, 3, 9], [25, 30, 25, 15, 5])[0]
        items = []
        factor = {1: 100, 2: 92, 3: 88, 4: 80}[tpr]
        n_items = r.choice([1, 1, 2, 2, 3, 3, 4, 5, 6, 8])
        for seq, (pcode, _cost, price) in enumerate(
                r.choices(prods, cum_weights=pweights, k=n_items), 1):
            q = r.choice([1, 1, 2, 2, 3, 5, 10, 12, 20, 24, 50, 100])
            unit = price * factor // 100
            disc = r.choice([0, 0, 0, 0, 2, 3, 5, 10])
            items.append((seq, pcode, q, unit, disc))
        vl_prod = sum(q * u * (100 - dsc) // 100 for _, _, q, u, dsc in items)
        frete_tp = r.choices("CFS", [60, 30, 10])[0]
        frete = r.randint(20, 400) * 100 if frete_tp == "F" and vl_prod > 30000 else 0
        desc = vl_prod // 50 if r.random() < 0.1 else 0
        total = vl_prod - desc + frete
        entrega = d + timedelta(days=r.randint(1, 15)) if status in (2, 3) else None
        tra = r.choice(ref.transp) if frete_tp != "S" else None
        alter = g.moment(d + timedelta(days=r.randint(0, 3))) if status else None
        obs = r.choice(["Entregar no canteiro de obras.", "Cliente retira.", "Urgente!",
                        "Ligar antes de entregar.", "Conferir com o pedido do cliente."]) \
            if r.random() < 0.05 else None
        ped.rows.append((fil, pnum, cli, vend, d, entrega, cpg, tra, frete_tp, status,
                         money(vl_prod), money(desc), money(frete), money(total), alter, obs))
        for seq, pcode, q, unit, disc in items:
            itm.rows.append((fil, pnum, seq, pcode, qty(q * 1000), money(unit), money(disc * 100)))
        if status not in (2, 3):
            continue
        # Invoiced: one NF-e, its items, the receivables and their settlements.
        nf_id += 1
        next_nf[fil] += 1
        emi = g.moment(d + timedelta(days=r.choice([0, 0, 0, 1, 1, 2])))
        inside = ref.uf_of_city[city] == ref.fil_uf[fil]
        aliq = 18 if inside else 12
        icms = total * aliq // 100
        situ = r.choices("NCD", [97, 2.5, 0.5])[0]
        chave = (f"{uf_ibge[ref.fil_uf[fil]]}{emi:%y%m}{fil_cnpj[fil]}55001{next_nf[fil]:09d}1"
                 f"{r.randint(10**7, 10**8 - 1)}{r.randrange(10)}")
        nf.rows.append((nf_id, fil, "1", next_nf[fil], pnum, cli, emi,
                        "5102" if inside else "6102", money(vl_prod), money(icms), money(0),
                        money(total), chave, situ))
        for seq, pcode, q, unit, disc in items:
            line = q * unit * (100 - disc) // 100
            nfi.rows.append((nf_id, seq, pcode, qty(q * 1000), money(unit), money(line),
                             money(aliq * 100), money(line * aliq // 100)))
            if situ == "N":
                g.sale_moves.append((fil, pcode, emi, q * 1000, nf_id))
        if situ != "N":
            continue
        g.nf_lanc.append((emi.date(), fil, total))
        tit_num += 1
        parcels = dias[cpg]
        portador = r.choice(["001", "237", "341", "341", "104", "748"])
        for k, days in enumerate(parcels, 1):
            value = total // len(parcels) + (total % len(parcels) if k == 1 else 0)
            venc = emi.date() + timedelta(days=days)
            state = "A" if venc > END else r.choices("PACR", [91, 5, 2, 2])[0]
            pgto = pago = juros = None
            if state == "P":
                late = r.choices([0, r.randint(1, 10), r.randint(11, 90)], [75, 18, 7])[0]
                early = r.randint(0, 3) if late == 0 else 0
                pday = max(emi.date(), min(venc + timedelta(days=late - early), END))
                juros_c = value * late // 1000 if late > 3 else 0
                pgto, pago, juros = pday, money(value + juros_c), money(juros_c)
                if r.random() < 0.06 and value > 2000:  # paid in two parts
                    half = value // 2
                    first = min(venc, pday)
                    bx.rows.append((tit_num, k, 1, first, money(half), money(0), money(0),
                                    r.choice(FORMAS), r.randint(1, 40)))
                    bx.rows.append((tit_num, k, 2, pday, money(value - half + juros_c),
                                    money(juros_c), money(0), r.choice(FORMAS), r.randint(1, 40)))
                else:
                    bx.rows.append((tit_num, k, 1, pday, money(value + juros_c), money(juros_c),
                                    money(0), r.choice(FORMAS), r.randint(1, 40)))
            tit.rows.append((tit_num, k, fil, cli, nf_id, emi.date(), venc, pgto, money(value),
                             pago, juros, portador, "BL" if days else "DN", state))


def _purchases(g: Gen, ref: Ref, stock: Stock) -> None:
    r = g.r
    t = g.table("CAD_FOR", "FOR_COD, FOR_NOMRAZ, FOR_NOMFAN, FOR_CNPJ, CID_COD, FOR_FONE, "
                "FOR_EMAIL, PRAZO_ENT, SITUACAO")
    for code in range(1, 301):
        city = r.choices(ref.cities, cum_weights=ref.city_weights)[0]
        name = g.company()
        if code <= len(BRANDS) and code % 2:
            name = f"{BRANDS[code - 1].title()} Indústria e Comércio {r.choice(['Ltda', 'S/A'])}"
        t.rows.append((code, name.upper(), name.split()[0].upper(), g.cnpj(), city[0],
                       g.phone(_ddd(city[2]), False),
                       f"vendas@{name.split()[0].lower()}.com.br".encode("ascii", "ignore")
                       .decode() if r.random() < 0.6 else None,
                       r.choice([3, 5, 7, 10, 15, 30]), r.choices("AIB", [85, 12, 3])[0]))
    cmp_ = g.table("MOV_COMPRA", "CMP_NUM, FIL_COD, FOR_COD, DT_EMI, DT_PREV, STATUS, VL_TOTAL")
    cit = g.table("MOV_COMPRA_ITEM", "CMP_NUM, SEQ, PRO_COD, QTDE, VL_UNIT, QTDE_REC")
    pag = g.table("FIN_PAGAR", "PAG_ID, FIL_COD, FOR_COD, NUM_DOC, DT_EMI, DT_VENC, DT_PGTO, "
                  "VALOR, VL_PAGO, CTA_COD, CC_COD, STATUS")
    pag_id = 0
    days = sorted(r.randrange(DAYS) for _ in range(5200))
    for num, di in enumerate(days, 1):
        d = START + timedelta(days=di)
        fil = r.choice([1, 1, 1, 2, 3, 3, 4, 5, 6])
        forn = r.randint(1, 300)
        prev = d + timedelta(days=r.choice([3, 5, 7, 10, 15, 30]))
        if prev < END - timedelta(days=20):
            status = r.choices("RPC", [90, 3, 7])[0]
        else:
            status = r.choices("APR", [60, 20, 20])[0]
        total = 0
        for seq, (pcode, cost, _) in enumerate(
                r.choices(stock.products, cum_weights=stock.weights, k=r.randint(1, 7)), 1):
            q = r.choice([10, 20, 24, 50, 100, 120, 200, 500])
            total += q * cost
            rec = q if status == "R" else (q // 2 if status == "P" else 0)
            cit.rows.append((num, seq, pcode, qty(q * 1000), money(cost), qty(rec * 1000)))
            if rec:
                when = g.moment(min(prev + timedelta(days=r.randint(-2, 5)), END))
                g.buy_moves.append((fil, pcode, when, rec * 1000, num, cost))
        cmp_.rows.append((num, fil, forn, d, prev, status, money(total)))
        if status == "C":
            continue
        n = r.choice([1, 1, 2, 3])
        for k in range(n):
            pag_id += 1
            venc = prev + timedelta(days=28 * (k + 1))
            value = total // n
            paid = venc <= END and r.random() < 0.97
            pag.rows.append((pag_id, fil, forn, f"NF {r.randint(1000, 999999)}-{k + 1}", d, venc,
                             venc if paid else None, money(value), money(value) if paid else None,
                             "2.1.01.001", None, "P" if paid else "A"))
    # Recurring expenses per branch and month.
    expenses = [("4.2.02.001", 1, 800000, 1500000), ("4.2.02.002", 2, 150000, 600000),
                ("4.2.02.003", 3, 40000, 120000), ("4.2.02.005", 4, 20000, 80000),
                ("4.2.03.002", 5, 100000, 900000)]
    for fil in range(1, 7):
        for y, m in _months(START, END):
            for cta, forn, lo, hi in expenses:
                pag_id += 1
                venc = date(y, m, 10)
                paid = r.random() < 0.98 or venc < END - timedelta(days=400)
                value = r.randint(lo, hi)
                state = "P" if paid else r.choice("AC")
                pag.rows.append((pag_id, fil, forn, f"{m:02d}/{y}", venc - timedelta(days=10),
                                 venc, venc if paid else None, money(value),
                                 money(value) if paid else None, cta, fil * 10 + 1, state))


def _stock(g: Gen, stock: Stock) -> None:
    r = g.r
    moves: list[tuple[int, int, int, datetime, str, str, int, int, int | None]] = []
    cost_of = {p[0]: p[1] for p in stock.products}
    for fil, pcode, when, q, doc in g.sale_moves:
        moves.append((fil, 1, pcode, when, "S", "NFS", q, cost_of[pcode], doc))
    for fil, pcode, when, q, doc, cost in g.buy_moves:
        moves.append((fil, 1, pcode, when, "E", "NFE", q, cost, doc))
    prods, weights = stock.products, stock.weights
    for k in range(30000):  # transfers between branches: two movements each
        pcode = r.choices(prods, cum_weights=weights)[0][0]
        src, dst = r.sample(range(1, 7), 2)
        when = g.moment(g.day())
        q = r.choice([5, 10, 20, 50, 100]) * 1000
        moves.append((src, 1, pcode, when, "S", "TRF", q, cost_of[pcode], 900000 + k))
        moves.append((dst, 1, pcode, when + timedelta(hours=r.randint(20, 96)), "E", "TRF", q,
                      cost_of[pcode], 900000 + k))
    for k in range(14000):  # internal requisitions, adjustments, returns
        pcode = r.choices(prods, cum_weights=weights)[0][0]
        fil = r.randint(1, 6)
        origem, tp, alm = r.choices([("REQ", "S", 1), ("AJU", "E", 1), ("AJU", "S", 1),
                                     ("DEV", "E", 2), ("AVA", "S", 1), ("AVA", "E", 2)],
                                    [40, 15, 15, 10, 10, 10])[0]
        moves.append((fil, alm, pcode, g.moment(g.day()), tp, origem,
                      r.choice([1, 1, 2, 3, 5, 10]) * 1000, cost_of[pcode], 500000 + k))
    # Opening balance ("IMP", migrated from the old system) covers every outflow.
    out: dict[tuple[int, int, int], int] = {}
    for fil, alm, pcode, _, tp, _, q, _, _ in moves:
        if tp == "S":
            out[(fil, alm, pcode)] = out.get((fil, alm, pcode), 0) + q
    opening = datetime(2019, 1, 1, 0, 0, 0)
    for fil in range(1, 7):
        for alm in (1, 2):
            for pcode, cost, _ in prods:
                need = out.get((fil, alm, pcode), 0)
                if alm == 2 and not need:
                    continue
                if alm == 1 and not need and r.random() < 0.5:
                    continue
                moves.append((fil, alm, pcode, opening, "E", "IMP",
                              need + r.randint(1, 60) * 1000, cost, None))
    moves.sort(key=lambda m: (m[3], m[0], m[2], m[4]))
    t = g.table("EST_MOV", "MOV_ID, FIL_COD, ALMOX, PRO_COD, DT_MOV, TP_MOV, ORIGEM, QTDE, "
                "CUSTO_UNIT, DOC_NUM, USR_ID")
    balance: dict[tuple[int, int, int], list[int | datetime]] = {}
    for i, (fil, alm, pcode, when, tp, origem, q, cost, doc) in enumerate(moves, 1):
        t.rows.append((i, fil, alm, pcode, when, tp, origem, qty(q), money(cost), doc,
                       r.randint(1, 40) if origem != "IMP" else 1))
        b = balance.setdefault((fil, alm, pcode), [0, when])
        b[0] = int(b[0]) + (q if tp == "E" else -q)
        b[1] = when
    g.table("EST_ALMOX", "FIL_COD, ALMOX, ALM_DESCR").rows = [
        (fil, alm, "PRINCIPAL" if alm == 1 else "AVARIAS / DEVOLUÇÕES")
        for fil in range(1, 7) for alm in (1, 2)]
    t = g.table("EST_SALDO", "FIL_COD, ALMOX, PRO_COD, QTDE, QTDE_RES, CUSTO_MED, DT_ULT_MOV")
    for (fil, alm, pcode), (q, when) in sorted(balance.items()):
        assert isinstance(when, datetime)
        res = r.choice([0, 0, 0, 0, 1, 2, 5]) * 1000 if alm == 1 else 0
        t.rows.append((fil, alm, pcode, qty(int(q)), qty(min(res, int(q))), money(cost_of[pcode]),
                       when.date()))


def _finance(g: Gen, ref: Ref) -> None:
    r = g.r
    t = g.table("FIN_PLANO_CTA", "CTA_COD, CTA_DESCR, CTA_PAI, CTA_TIPO, NATUREZA, NIVEL")
    for code, descr, tipo, nat in PLANO:
        parent = code.rsplit(".", 1)[0] if "." in code else None
        t.rows.append((code, descr, parent, tipo, nat, code.count(".") + 1))
    t = g.table("FIN_CCUSTO", "CC_COD, CC_DESCR, FIL_COD")
    for fil, _, _, fan in FILIAIS:
        t.rows.append((fil * 10 + 1, f"ADMINISTRATIVO {fan}", fil))
        t.rows.append((fil * 10 + 2, f"COMERCIAL {fan}", fil))
        t.rows.append((fil * 10 + 3, f"LOGÍSTICA {fan}", fil))
    t.rows.append((99, "CORPORATIVO", None))
    t = g.table("FIN_CONTA_BANCO", "BCO_COD, AGENCIA, CONTA, FIL_COD, SALDO, CTA_COD")
    for bco, fil in [("001", 1), ("237", 1), ("341", 1), ("341", 2), ("104", 3), ("748", 3),
                     ("756", 4), ("748", 5), ("001", 6), ("077", 1)]:
        t.rows.append((bco, f"{r.randint(100, 9999):04d}", f"{r.randint(10000, 999999)}-"
                       f"{r.randint(0, 9)}", fil, money(r.randint(-5000000, 90000000)),
                       "1.1.01.002"))
    t = g.table("FIN_LANC", "LAN_ID, DT_LANC, FIL_COD, CTA_DEB, CTA_CRED, VALOR, HISTORICO, "
                "ORIGEM, CC_COD")
    entries: list[tuple[date, int, str, str, int, str, str, int | None]] = []
    for d, fil, total in g.nf_lanc:
        entries.append((d, fil, "1.1.02.001", "3.1.01.001", total, "VENDA CONF. NF-E", "FAT",
                        fil * 10 + 2))
    daily: dict[tuple[date, int], int] = {}
    for row in g.tables["CAR_BAIXA"].rows:
        d = row[3]
        assert isinstance(d, date)
        fil = r.randint(1, 6)
        cents = int(str(row[4]).replace(".", ""))
        daily[(d, fil)] = daily.get((d, fil), 0) + cents
    for (d, fil), cents in sorted(daily.items()):
        entries.append((d, fil, "1.1.01.002", "1.1.02.001", cents,
                        "RECEBIMENTO DE DUPLICATAS DO DIA", "CAR", None))
    for row in g.tables["FIN_PAGAR"].rows:
        if row[6] is not None:
            cents = int(str(row[7]).replace(".", ""))
            deb = str(row[9])
            entries.append((row[6], int(row[1]), deb, "1.1.01.002", cents, f"PAGTO {row[3]}",
                            "CAP", row[10]))
    entries.sort(key=lambda e: (e[0], e[1], e[6]))
    for i, (d, fil, deb, cred, cents, hist, origem, cc) in enumerate(entries, 1):
        t.rows.append((i, d, fil, deb, cred, money(cents), hist, origem, cc))


def _payroll(g: Gen, hr: People) -> None:
    r = g.r
    g.table("RH_EVENTO", "EVT_COD, EVT_DESCR, TP_EVT, INCIDE_INSS").rows = [
        tuple(e) for e in EVENTOS]
    fol = g.table("RH_FOLHA", "FUN_MAT, ANO, MES, SAL_BRUTO, DESCONTOS, SAL_LIQ, DT_PGTO, STATUS")
    evt = g.table("RH_FOLHA_EVT", "FUN_MAT, ANO, MES, EVT_COD, REFER, VALOR")
    last = (END.year, END.month)
    for mat, adm, dem, salary, _dep, crg in hr.employees:
        first = max(adm, START)
        stop = min(dem or END, END)
        if first > stop:
            continue
        for y, m in _months(first, stop):
            events = [(1, "30.00", salary)]
            if crg in (17, 18, 19, 20, 21) and r.random() < 0.4:
                hours = r.randint(2, 30)
                events.append((2, f"{hours}.00", salary * hours * 3 // 2 // 220))
            if crg in (5, 6, 7):
                events.append((3, None, r.randint(20000, 400000)))
            gross = sum(v for _, _, v in events)
            inss = min(gross * 11 // 100, 90000)
            irrf = max(0, (gross - inss - 280000) * 15 // 100)
            events.append((50, "11.00", inss))
            if irrf:
                events.append((51, "15.00", irrf))
            if r.random() < 0.5:
                events.append((52, "6.00", salary * 6 // 100))
            if r.random() < 0.6:
                events.append((53, None, r.choice([18000, 25000, 42000])))
            disc = sum(v for c, _, v in events if c >= 50)
            paid = (y, m) < last
            pay_day = date(y + (m == 12), m % 12 + 1, 5) if paid else None
            fol.rows.append((mat, y, m, money(gross), money(disc), money(gross - disc), pay_day,
                             2 if paid else 1))
            if y >= 2023:  # the event detail was only kept after the 2023 migration
                for c, ref_, v in events:
                    evt.rows.append((mat, y, m, c, ref_, money(v)))


def _system(g: Gen, hr: People, sales: Sales) -> None:
    r = g.r
    t = g.table("USERS", "USER_ID, USER_LOGIN, FULL_NAME, FUN_MAT, IS_ACTIVE, PROFILE, "
                "CREATED_AT, LAST_LOGIN")
    logins: list[str] = []
    func = g.tables["CAD_FUNC"].rows
    picks = [row for row in func if row[8] in (1, 2, 3, 4, 5, 8, 9, 10, 11, 13, 14, 16)]
    for uid in range(1, 41):
        row = picks[(uid * 7) % len(picks)]
        parts = str(row[1]).lower().split()
        login = (parts[0][0] + parts[-1]).translate(str.maketrans("áâãéêíóôõúüç", "aaaeeiooouuc"))
        while login in logins:
            login += str(r.randint(1, 9))
        logins.append(login)
        created = g.moment(max(row[6], date(2012, 1, 1)))  # type: ignore[type-var]
        active = row[13] != "D"
        t.rows.append((uid, login, str(row[1]), row[0], active, "A" if uid <= 2 else
                       "G" if row[8] in (1, 2, 3, 4) else "U", created,
                       g.moment(g.day(date(2024, 1, 1))) if active else None))
    t = g.table("AUDIT_LOG", "LOG_ID, LOG_TS, TABLE_NAME, OPERACAO, CHAVE, USUARIO, DETALHE")
    events = sorted(g.moment(g.day(date(2022, 1, 1))) for _ in range(3000))
    for i, ts in enumerate(events, 1):
        if r.random() < 0.6:
            cli = r.choice(sales.customers)[0]
            a, b = r.sample("AIB", 2)
            t.rows.append((i, ts, "CAD_CLI", "U", str(cli), r.choice(logins).upper(),
                           f"SITUACAO {a} -> {b}"))
        else:
            pro = r.randint(1, 2000)
            t.rows.append((i, ts, "CAD_PRO", "U", str(pro), r.choice(logins).upper(),
                           f"PRECO {r.randint(5, 900)}.{r.randint(0, 99):02d} -> "
                           f"{r.randint(5, 900)}.{r.randint(0, 99):02d}"))
    t = g.table("SETTINGS", "SETTING_KEY, SETTING_VALUE, FIL_COD")
    t.rows = [("VERSAO_BANCO", "7.4.12", 0), ("EMPRESA", "SISCOM MATERIAIS DE CONSTRUÇÃO", 0),
              ("NFE_AMBIENTE", "1", 0), ("NFE_SERIE", "1", 0), ("CASAS_DECIMAIS_QTDE", "3", 0),
              ("BLOQUEIA_LIMITE_CREDITO", "S", 0), ("DIAS_TOLERANCIA_ATRASO", "5", 0),
              ("JUROS_MES", "3.00", 0), ("MULTA_ATRASO", "2.00", 0),
              ("EMAIL_FINANCEIRO", "financeiro@siscom.com.br", 0),
              ("ULTIMO_BACKUP", "2024-06-30 23:00", 0), ("TABELA_PRECO_PADRAO", "1", 0)]
    for fil in range(1, 7):
        t.rows.append(("ALMOX_PADRAO", "1", fil))
        t.rows.append(("IMPRESSORA_PEDIDO", f"\\\\FIL{fil:02d}-SRV\\EPSON", fil))
    t = g.table("TMP_IMPORT_CLI", "NOME, DOCUMENTO, CIDADE, UF, FONE, DT_IMPORT, PROCESSADO")
    when = datetime(2018, 11, 23, 2, 14, 0)
    for _ in range(350):
        name = g.company() if r.random() < 0.6 else g.person()
        name = r.choice([name, name.upper(), name.lower()])
        doc = (g.cnpj() if r.random() < 0.6 else g.cpf()).replace(".", "").replace("/", "") \
            .replace("-", "") if r.random() < 0.8 else None
        city = r.choice(list(CITIES["SP"]) + list(CITIES["PR"]))
        t.rows.append((name[:60], doc, city.upper() if r.random() < 0.5 else city,
                       r.choice(["SP", "PR", "", "sp"]) or None,
                       f"{r.randint(1100000000, 5599999999)}" if r.random() < 0.7 else None,
                       when + timedelta(seconds=r.randint(0, 3600)), r.choice("SSSN")))
