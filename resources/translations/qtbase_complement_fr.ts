<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- What PySide6's qtbase_fr.qm leaves in English (Qt 6 source texts it does not have yet).
     Compiled by: pyside6-lrelease qtbase_complement_fr.ts -qm qtbase_complement_fr.qm -->
<TS version="2.1" language="fr_FR">
<context>
    <name>QFileDialog</name>
    <message>
        <source>&amp;Look in:</source>
        <translation>&amp;Regarder dans :</translation>
    </message>
    <message>
        <source>Files of &amp;type:</source>
        <translation>&amp;Type de fichier :</translation>
    </message>
</context>
</TS>
