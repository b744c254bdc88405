W2210nycsa
b f BC-US--Bank-Merger Kill   03-02 0040
^BC-US--Bank-Merger, Kill,40<
^KILL<
^Eds: Kill the story. It was transmitted in error. A substitute will not be sent.<
	   NEW YORK (AP) _ The story ``Regional banks agree to merge'' is withdrawn.

	   AP-NY-03-02-24 1515EST<


