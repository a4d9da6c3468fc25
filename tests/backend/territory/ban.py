"""Files in the Base Adresse Nationale's CSV format (adresses-<département>.csv), for the territory tests."""

import gzip
from dataclasses import dataclass
from pathlib import Path

HEADER = (
    "id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;code_insee_ancienne_commune;"
    "nom_ancienne_commune;x;y;lon;lat;type_position;alias;nom_ld;libelle_acheminement;nom_afnor;"
    "source_position;source_nom_voie;certification_commune;cad_parcelles"
)
STREETS = [
    "Chemin de la Gavotte",
    "Avenue François Mitterrand",
    "Route de Gisclette",
    "Boulevard de la Renardière",
    "Chemin des Cadeneaux",
    "Avenue de Plan de Campagne",
    "Rue des Amandiers",
    "Chemin de Bouroumettes",
    "Avenue de l'Agavon",
    "Allée des Pins",
    "Rue de la Mairie",
    "Chemin du Vallon",
    "Impasse des Oliviers",
    "Traverse de l'Infernet",
    "Rue Jean Moulin",
]


@dataclass(frozen=True)
class Row:
    ban_id: str
    number: int
    rep: str
    street: str
    insee: str
    commune_name: str
    postcode: str
    lat: float
    lon: float

    def line(self) -> str:
        fantoir = f"{self.insee}_{self.ban_id.split('_')[1]}"
        return ";".join(
            [
                self.ban_id,
                fantoir,
                str(self.number),
                self.rep,
                self.street,
                self.postcode,
                self.insee,
                self.commune_name,
                "",
                "",
                "892345.12",
                "6253456.78",
                f"{self.lon:.6f}",
                f"{self.lat:.6f}",
                "entrée",
                "",
                "",
                self.commune_name.upper(),
                self.street.upper(),
                "commune",
                "commune",
                "1",
                f"{self.insee}000AB0123",
            ]
        )


def pennes_rows() -> list[Row]:
    """300 addresses of 13071 on a regular grid inside tests.factories.commune() (43.40–43.42 N,
    5.30–5.32 E): 15 streets west to east, 20 numbers south to north, 0.001° (~111 m) apart."""
    rows = []
    for s, street in enumerate(STREETS):
        for n in range(20):
            rows.append(
                Row(
                    ban_id=f"13071_{s:04d}_{n + 1:05d}",
                    number=n + 1,
                    rep="bis" if n % 7 == 3 else "",
                    street=street,
                    insee="13071",
                    commune_name="Les Pennes-Mirabeau",
                    postcode="13170",
                    lat=round(43.4005 + n * 0.001, 6),
                    lon=round(5.3005 + s * 0.00133, 6),
                )
            )
    return rows


def marseille_rows(count: int = 60) -> list[Row]:
    return [
        Row(
            f"13201_a{n:03d}_{n:05d}",
            n + 1,
            "",
            "La Canebière",
            "13201",
            "Marseille",
            "13001",
            43.2975,
            5.3790,
        )
        for n in range(count)
    ]


def write(path: Path, rows: list[Row], *, gz: bool = False) -> Path:
    text = "\n".join([HEADER, *(row.line() for row in rows)]) + "\n"
    if gz:
        path.write_bytes(gzip.compress(text.encode("utf-8")))
    else:
        path.write_text(text, encoding="utf-8")
    return path
