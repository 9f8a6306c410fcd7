"""A second real database beside the demo ERP, for the tests of several databases in one
install: a small clinic (patients, doctors, appointments) whose table names share nothing
with the demo's, so a table of one showing up in the other's answers is a leak."""

from __future__ import annotations

from pathlib import Path

from schemachat.ingest.firebird import create_database

CLINIC_TABLES = ["PACIENTE", "MEDICO", "CONSULTA"]

_DDL = [
    "CREATE TABLE MEDICO (MED_CRM INTEGER NOT NULL PRIMARY KEY, MED_NOME VARCHAR(60) NOT NULL, "
    "ESPECIALIDADE VARCHAR(40))",
    "CREATE TABLE PACIENTE (PAC_ID INTEGER NOT NULL PRIMARY KEY, PAC_NOME VARCHAR(60) NOT NULL, "
    "NASCIMENTO DATE, CONVENIO CHAR(1))",
    "CREATE TABLE CONSULTA (CONS_ID INTEGER NOT NULL PRIMARY KEY, "
    "PAC_ID INTEGER NOT NULL REFERENCES PACIENTE, MED_CRM INTEGER NOT NULL REFERENCES MEDICO, "
    "DATA_HORA TIMESTAMP NOT NULL, VALOR NUMERIC(10,2))",
    "COMMENT ON TABLE PACIENTE IS 'Pacientes da clínica'",
    "COMMENT ON COLUMN PACIENTE.CONVENIO IS 'P = particular, C = convênio'",
]
_DOCTORS = [(1001, "Dra. Helena Prado", "Cardiologia"), (1002, "Dr. Otávio Reis", "Pediatria")]
_PATIENTS = [(1, "Ana Beatriz Lopes", "1990-04-12", "C"), (2, "Caio Mendes", "2015-09-30", "P"),
             (3, "Lúcia Freitas", "1958-01-05", "C")]
_VISITS = [(10, 1, 1001, "2024-03-01 09:00:00", 350), (11, 2, 1002, "2024-03-02 10:30:00", 280),
           (12, 3, 1001, "2024-03-05 14:00:00", 350), (13, 1, 1001, "2024-04-01 09:00:00", 350)]


def build_clinic(path: Path) -> Path:
    """Create the clinic database at `path` (a new embedded file) and return `path`."""
    con = create_database(path)
    try:
        for statement in _DDL:
            con.execute_immediate(statement)
        con.commit()
        cur = con.cursor()
        cur.executemany("INSERT INTO MEDICO VALUES (?, ?, ?)", _DOCTORS)
        cur.executemany("INSERT INTO PACIENTE VALUES (?, ?, ?, ?)", _PATIENTS)
        cur.executemany("INSERT INTO CONSULTA VALUES (?, ?, ?, ?, ?)", _VISITS)
        con.commit()
    finally:
        con.close()
    return path
