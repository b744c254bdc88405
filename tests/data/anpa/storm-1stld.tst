W1187nycsa
u i BC-EU--Storm-Ports 1stLd-Writethru   01-14 0455
^BC-EU--Storm-Ports, 1st Ld-Writethru,455<
^Storm closes North Sea ports; one dead in Denmark<
^Eds: UPDATES with death in Denmark, details. With AP Photos.<
^By HANNA KOLB=
^Associated Press=
	   HAMBURG, Germany (AP) _ A winter storm closed the ports of Hamburg and Rotterdam on Tuesday and killed a man in Denmark, leaving ferries in harbour and stranding ``hundreds of trucks'' on the approach roads.
	   Danish police said a 62-year-old man was hit by a falling tree near Esbjerg.
	   The German weather service warned of gusts of up to 140 kph (87 mph) along the coast through Wednesday morning.

	   AP-WF-01-14-25 1130GMT<


