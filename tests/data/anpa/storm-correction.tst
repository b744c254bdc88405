W1233nycsa
r i BC-EU--Storm-Ports 2ndLd-Writethru-Correction   01-14 0455
^BC-EU--Storm-Ports, 2nd Ld-Writethru-Correction,455<
^Storm closes North Sea ports; one dead in Denmark<
^Eds: CORRECTS age of victim to 64, sted 62.<
^By HANNA KOLB=
^Associated Press=
	   HAMBURG, Germany (AP) _ A winter storm closed the ports of Hamburg and Rotterdam on Tuesday and killed a man in Denmark.
	   Danish police said a 64-year-old man was hit by a falling tree near Esbjerg.

	   AP-WF-01-14-25 1245GMT<


