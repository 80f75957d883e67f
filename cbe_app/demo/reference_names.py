"""Static reference data of the demo business: how buyers in each market are named.

Every e-mail domain is under an `example` domain so no real mailbox is ever addressed.
"""

from __future__ import annotations

# Male first names, female first names, surnames ("male/female" where the surname is gendered).
NAMES: dict[str, tuple[str, str, str]] = {
    "en_us": (
        "James,Michael,Robert,David,John,Chris,Daniel,Matthew,Liam,Noah,Ethan,Ryan",
        "Mary,Jennifer,Linda,Emily,Sarah,Jessica,Ashley,Amanda,Olivia,Emma,Hannah,Ava",
        "Smith,Johnson,Williams,Brown,Jones,Garcia,Miller,Davis,Wilson,Lee,Thompson,Patel",
    ),
    "en_gb": (
        "Oliver,George,Harry,Jack,Charlie,Thomas,James,William,Conor,Seán,Cian,Patrick",
        "Amelia,Olivia,Isla,Emily,Poppy,Sophie,Jessica,Lucy,Aoife,Niamh,Saoirse,Ciara",
        "Smith,Jones,Taylor,Brown,Davies,Evans,Roberts,Walker,Murphy,Kelly,O'Brien,Khan",
    ),
    "en_au": (
        "Jack,Oliver,Noah,William,Lachlan,Liam,Cooper,Thomas,Henry,Tama,Mason,Lucas",
        "Charlotte,Mia,Olivia,Ava,Chloe,Isla,Ruby,Grace,Zoe,Aroha,Matilda,Ella",
        "Smith,Jones,Williams,Brown,Wilson,Taylor,Nguyen,Martin,White,Ryan,Singh,Ngata",
    ),
    "de": (
        "Lukas,Leon,Felix,Jonas,Paul,Tobias,Jan,Maximilian,Florian,Stefan,Luca,Noah",
        "Anna,Lena,Laura,Lea,Sophie,Julia,Katharina,Sarah,Hannah,Lisa,Mia,Nina",
        "Müller,Schmidt,Schneider,Fischer,Weber,Meyer,Wagner,Becker,Huber,Gruber,Keller",
    ),
    "fr": (
        "Lucas,Hugo,Louis,Gabriel,Arthur,Jules,Nathan,Théo,Maxime,Thomas,Noah,Léo",
        "Emma,Léa,Chloé,Manon,Camille,Inès,Sarah,Louise,Jade,Alice,Julie,Elise",
        "Martin,Bernard,Dubois,Durand,Leroy,Moreau,Laurent,Peeters,Janssens,Maes,Dupont",
    ),
    "nl": (
        "Daan,Sem,Lucas,Levi,Finn,Jesse,Thijs,Bram,Ruben,Lars,Milan,Tim",
        "Emma,Julia,Sophie,Tess,Anna,Fleur,Sanne,Lotte,Eva,Lisa,Noor,Sara",
        "de Jong,Jansen,de Vries,van den Berg,van Dijk,Bakker,Visser,Smit,Meijer,Mulder",
    ),
    "it": (
        "Leonardo,Francesco,Alessandro,Lorenzo,Mattia,Andrea,Marco,Luca,Matteo,Giuseppe",
        "Sofia,Giulia,Aurora,Ginevra,Alice,Martina,Chiara,Francesca,Sara,Giorgia",
        "Rossi,Russo,Ferrari,Esposito,Bianchi,Romano,Colombo,Ricci,Marino,Greco,De Luca",
    ),
    "es": (
        "Hugo,Martín,Pablo,Daniel,Alejandro,Javier,Diego,Sergio,Álvaro,Adrián",
        "Lucía,Sofía,Martina,María,Paula,Carmen,Laura,Elena,Marta,Julia",
        "García,Rodríguez,González,Fernández,López,Martínez,Sánchez,Pérez,Gómez,Ruiz",
    ),
    "mx": (
        "Santiago,Mateo,Sebastián,Leonardo,Diego,José,Juan,Carlos,Emiliano,Miguel",
        "Sofía,Valentina,Regina,Camila,Ximena,Guadalupe,Fernanda,Mariana,Daniela",
        "Hernández,García,Martínez,López,González,Pérez,Ramírez,Cruz,Flores,Reyes",
    ),
    "pt": (
        "João,Rodrigo,Francisco,Martim,Santiago,Tomás,Duarte,Miguel,Afonso,Pedro",
        "Maria,Leonor,Matilde,Beatriz,Carolina,Ana,Inês,Mariana,Sofia,Francisca",
        "Silva,Santos,Ferreira,Pereira,Oliveira,Costa,Rodrigues,Martins,Sousa,Gomes",
    ),
    "sv": (
        "William,Liam,Noah,Hugo,Lucas,Oscar,Erik,Axel,Elias,Nils",
        "Alice,Maja,Elsa,Astrid,Wilma,Freja,Ebba,Alva,Saga,Ella",
        "Andersson,Johansson,Karlsson,Nilsson,Eriksson,Larsson,Olsson,Persson,Lindberg",
    ),
    "no": (
        "Jakob,Emil,Noah,Oliver,Filip,Lukas,Henrik,Magnus,Sander,Aksel",
        "Nora,Emma,Olivia,Ingrid,Sofie,Maja,Ida,Sara,Thea,Frida",
        "Hansen,Johansen,Olsen,Larsen,Andersen,Pedersen,Nilsen,Jensen,Berg,Haugen,Bakke",
    ),
    "da": (
        "William,Noah,Oscar,Lucas,Carl,Victor,Magnus,Frederik,Mads,Rasmus",
        "Ida,Emma,Alma,Freja,Clara,Anna,Karla,Sofie,Laura,Mathilde",
        "Nielsen,Jensen,Hansen,Pedersen,Andersen,Christensen,Larsen,Sørensen,Madsen",
    ),
    "fi": (
        "Eino,Väinö,Onni,Leo,Elias,Oliver,Veeti,Juho,Mikko,Antti",
        "Aino,Helmi,Aada,Olivia,Sofia,Lilja,Ella,Emilia,Venla,Aino-Maria",
        "Korhonen,Virtanen,Mäkinen,Nieminen,Mäkelä,Hämäläinen,Laine,Heikkinen,Koskinen",
    ),
    "pl": (
        "Antoni,Jan,Jakub,Aleksander,Szymon,Franciszek,Filip,Piotr,Tomasz,Michał",
        "Zuzanna,Julia,Zofia,Hanna,Maja,Lena,Alicja,Anna,Katarzyna,Magdalena",
        "Nowak,Kowalski/Kowalska,Wiśniewski/Wiśniewska,Wójcik,Kowalczyk,Woźniak,Mazur",
    ),
    "cs": (
        "Jakub,Jan,Tomáš,Adam,Matyáš,Vojtěch,Lukáš,Petr,Ondřej,Martin",
        "Eliška,Anna,Tereza,Adéla,Natálie,Sofie,Karolína,Lucie,Kateřina,Veronika",
        "Novák/Nováková,Svoboda/Svobodová,Dvořák/Dvořáková,Černý/Černá,Veselý/Veselá",
    ),
    "ja": (
        "Haruto,Sota,Yuto,Ren,Riku,Kaito,Hiroshi,Takumi,Daiki,Kenta",
        "Yui,Hina,Aoi,Sakura,Mei,Yuna,Haruka,Misaki,Nanami,Yuki",
        "Sato,Suzuki,Takahashi,Tanaka,Watanabe,Ito,Yamamoto,Nakamura,Kobayashi,Kato",
    ),
    "sg": (
        "Wei Ming,Jun Jie,Zhi Hao,Kai Wen,Ethan,Ryan,Marcus,Darren,Arjun,Hafiz",
        "Hui Min,Xin Yi,Jia Hui,Shu Ting,Chloe,Rachel,Nicole,Priya,Aisyah,Siti",
        "Tan,Lim,Lee,Ng,Ong,Wong,Goh,Chua,Koh,Teo,Chan,Yeo,Nair,Rahman",
    ),
    "ae": (
        "Mohammed,Ahmed,Omar,Khalid,Rashid,Saeed,Rahul,Arjun,Faisal,Yousef",
        "Fatima,Mariam,Aisha,Noora,Sara,Layla,Priya,Anjali,Hessa,Reem",
        "Al Mansoori,Al Hashimi,Al Nuaimi,Al Zaabi,Khan,Sharma,Haddad,Qureshi,Nair,Menon",
    ),
}

EMAIL_DOMAINS = ("mail.example.com", "inbox.example.net", "post.example.org", "web.example.com")
